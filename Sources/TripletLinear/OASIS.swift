import TripletCore

#if canImport(Accelerate)
    import Accelerate
#else
    import COpenBLAS
#endif

/// OASIS (Chechik, Sharma, Shalit & Bengio, JMLR 2010): a bilinear similarity S_W(x, y) = xᵀ W y learned
/// online from comparisons with passive-aggressive updates.
///
/// W (D×D) starts as the identity. For each comparison (x, x⁺, x⁻), in order:
/// l = max(0, 1 − S_W(x, x⁺) + S_W(x, x⁻)); when l > 0, with V = x (x⁺ − x⁻)ᵀ,
/// τ = min(C, l / ‖V‖²_F) and W ← W + τ V. A step costs O(D²): one matrix–vector product
/// (u = W (x⁺ − x⁻), `sgemv`), one rank-1 update (`sger`), and ‖V‖²_F = ‖x‖² ‖x⁺ − x⁻‖².
///
/// A violated comparison whose update is zero (‖V‖_F = 0: a zero query, or x⁺ = x⁻) has no step that
/// could satisfy it; it is skipped — W is left as it is, `OASISStep.skipped` is returned — instead of
/// dividing by zero.
///
/// ```swift
/// var oasis = try OASIS(dimension: 64, aggressiveness: 0.1)
/// let step = oasis.update(anchor: x, positive: xPlus, negative: xMinus)  // step.hinge: l before the update
/// oasis.similarity(x, y)                                                  // xᵀ W y
/// ```
public struct OASIS: Sendable {
    /// D: the width of the features.
    public let dimension: Int
    /// C: the largest step τ (the paper's aggressiveness parameter).
    public let aggressiveness: Float
    /// W, row-major D×D.
    public private(set) var weights: [Float]
    private var difference: [Float]
    private var product: [Float]

    /// W = I on `dimension`-wide features.
    /// - Throws: `TripletError.invalidParameter` for a dimension below 1 or C not finite and positive.
    public init(dimension: Int, aggressiveness: Float) throws {
        guard dimension >= 1 else {
            throw TripletError.invalidParameter(name: "dimension", value: "\(dimension)", expected: "at least 1")
        }
        guard aggressiveness.isFinite, aggressiveness > 0 else {
            throw TripletError.invalidParameter(
                name: "aggressiveness (C)", value: "\(aggressiveness)", expected: "a finite number above 0")
        }
        (self.dimension, self.aggressiveness) = (dimension, aggressiveness)
        weights = [Float](repeating: 0, count: dimension * dimension)
        for i in 0..<dimension { weights[i * dimension + i] = 1 }
        difference = [Float](repeating: 0, count: dimension)
        product = [Float](repeating: 0, count: dimension)
    }

    /// What one step did.
    public enum Outcome: Sendable, Equatable {
        /// l = 0: the comparison already held with margin 1; W unchanged.
        case passive
        /// W moved by τ V.
        case updated(tau: Float)
        /// l > 0 but ‖V‖_F = 0 (a zero query, or x⁺ = x⁻): no update can help; W unchanged.
        case skipped
    }

    /// One step's hinge (before its update) and outcome.
    public struct Step: Sendable, Equatable {
        /// l = max(0, 1 − S(x, x⁺) + S(x, x⁻)) before the update.
        public var hinge: Float
        /// What the step did.
        public var outcome: Outcome
    }

    /// S_W(x, y) = xᵀ W y for two rows of `dimension` values.
    public func similarity(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>) -> Float {
        var wy = [Float](repeating: 0, count: dimension)
        let d = Int32(dimension)
        weights.withUnsafeBufferPointer { w in
            cblas_sgemv(CblasRowMajor, CblasNoTrans, d, d, 1, w.baseAddress!, d, y, 1, 0, &wy, 1)
        }
        return cblas_sdot(d, x, 1, wy, 1)
    }

    /// One passive-aggressive step on the comparison (x, x⁺, x⁻), each a row of `dimension` values.
    public mutating func update(
        anchor x: UnsafePointer<Float>, positive: UnsafePointer<Float>, negative: UnsafePointer<Float>
    ) -> Step {
        let n = dimension, d = Int32(dimension)
        for i in 0..<n { difference[i] = positive[i] - negative[i] }
        weights.withUnsafeBufferPointer { w in
            cblas_sgemv(CblasRowMajor, CblasNoTrans, d, d, 1, w.baseAddress!, d, difference, 1, 0, &product, 1)
        }
        // S(x, x⁺) − S(x, x⁻) = xᵀ W (x⁺ − x⁻).
        let hinge = max(0, 1 - cblas_sdot(d, x, 1, product, 1))
        guard hinge > 0 else { return Step(hinge: 0, outcome: .passive) }
        let squaredNorm = cblas_sdot(d, x, 1, x, 1) * cblas_sdot(d, difference, 1, difference, 1)
        guard squaredNorm > 0, squaredNorm.isFinite else { return Step(hinge: hinge, outcome: .skipped) }
        let tau = min(aggressiveness, hinge / squaredNorm)
        weights.withUnsafeMutableBufferPointer { w in
            cblas_sger(CblasRowMajor, d, d, tau, x, 1, difference, 1, w.baseAddress!, d)
        }
        return Step(hinge: hinge, outcome: .updated(tau: tau))
    }
}
