import Foundation
import TripletCore

/// The Gaussian error linear unit, elementwise, `nn.GELU(approximate=…)`:
/// - exact (`approximate: "none"`, PyTorch's default): y = x·Φ(x) = ½·x·(1 + erf(x / √2)),
///   dy/dx = Φ(x) + x·φ(x) with φ(x) = exp(−x²/2) / √(2π), eight lanes at a time with erf to 1.5e−7
///   (`VectorMath.normal`, as PyTorch's vectorised kernel);
/// - `approximate: "tanh"`: y = ½·x·(1 + tanh(u)), u = √(2/π)·(x + 0.044715·x³),
///   dy/dx = ½·(1 + tanh u) + ½·x·(1 − tanh² u)·√(2/π)·(1 + 3·0.044715·x²).
///
/// ```swift
/// let net = try Sequential([.dense(inputs: 8, outputs: 32), .gelu(), .dense(inputs: 32, outputs: 8)], seed: 0)
/// let fast = GELU(approximate: .tanh)
/// ```
public final class GELU: ConfigurableLayer {
    /// Which formula the layer computes; the raw values are PyTorch's `approximate` strings.
    public enum Approximation: String, CaseIterable, Sendable {
        /// ½·x·(1 + erf(x / √2)), PyTorch's "none".
        case exact = "none"
        /// ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), PyTorch's "tanh".
        case tanh
    }

    /// The formula.
    public let approximate: Approximation
    /// Threads for large tensors.
    public var threads = 1
    private var input: Tensor?

    /// A GELU layer (exact by default, as `nn.GELU()`).
    public init(approximate: Approximation = .exact) {
        self.approximate = approximate
    }

    /// The formula, as PyTorch's string: "none" (the default when the field is absent) or "tanh".
    public struct Configuration: Codable, Sendable {
        /// "none" or "tanh".
        public var approximate: String

        /// A configuration with the given formula name.
        public init(approximate: String = Approximation.exact.rawValue) {
            self.approximate = approximate
        }

        /// Decodes `approximate`, "none" when the field is absent.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            approximate = try container.decodeIfPresent(String.self, forKey: .approximate) ?? "none"
        }
    }
    /// "gelu".
    public static let kind = "gelu"
    /// Its formula.
    public var configuration: Configuration { Configuration(approximate: approximate.rawValue) }

    /// A layer of `configuration`; throws `TripletError.invalidParameter` for an `approximate` other than
    /// "none" or "tanh".
    public convenience init(configuration: Configuration, builder: inout LayerBuilder) throws {
        guard let approximate = Approximation(rawValue: configuration.approximate) else {
            throw TripletError.invalidParameter(
                name: "\"gelu\" layer field \"approximate\"", value: "\"\(configuration.approximate)\"",
                expected: "\"none\" (exact, erf) or \"tanh\"")
        }
        self.init(approximate: approximate)
    }
    /// None.
    public var parameters: [Parameter] { [] }

    private var name: String { "GELU(approximate: \(approximate.rawValue))" }

    /// GELU of every element; any shape with a batch dimension; throws on NaN or infinity.
    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        guard !input.shape.isEmpty else {
            throw TripletError.shapeMismatch(expected: "[N, …] for \(name)", got: input.shape)
        }
        try input.requireFinite("\(name) input")
        self.input = training ? input : nil
        let tanhForm = approximate == .tanh
        return Tensor.filled(input.shape) { out in
            input.scalars.withUnsafeBufferPointer { x in
                let (x, out) = (x.baseAddress!, out.baseAddress!)
                Elementwise.forEach(input.scalars.count, threads: threads) { range in
                    if tanhForm {
                        for i in range { out[i] = Self.tanhValue(x[i]).value }
                    } else {
                        VectorMath.map(range.count, x + range.lowerBound, into: out + range.lowerBound) {
                            $0 * VectorMath.normal($0).cdf
                        }
                    }
                }
            }
        }
    }

    /// The exact form, x·Φ(x), of every element of `tensor` in place, for a forward pass that keeps nothing
    /// (no backward): saves the output's allocation. Throws on NaN or infinity.
    package static func applyExact(_ tensor: inout Tensor, threads: Int) throws {
        try tensor.requireFinite("GELU(approximate: none) input")
        let count = tensor.scalars.count
        tensor.scalars.withUnsafeMutableBufferPointer { x in
            let x = x.baseAddress!
            Elementwise.forEach(count, threads: threads) { range in
                VectorMath.map(range.count, x + range.lowerBound, into: x + range.lowerBound) {
                    $0 * VectorMath.normal($0).cdf
                }
            }
        }
    }

    /// dL/dx = dL/dy · dy/dx (the formulas above).
    public func backward(_ gradOutput: Tensor) throws -> Tensor {
        _ = try ShapeCheck.gradient(gradOutput, matches: input?.shape, layer: name)
        guard let input else { return gradOutput }
        let tanhForm = approximate == .tanh
        return Tensor.filled(input.shape) { dx in
            input.scalars.withUnsafeBufferPointer { x in
                gradOutput.scalars.withUnsafeBufferPointer { dy in
                    let (x, dy, dx) = (x.baseAddress!, dy.baseAddress!, dx.baseAddress!)
                    Elementwise.forEach(input.scalars.count, threads: threads) { range in
                        if tanhForm {
                            for i in range { dx[i] = dy[i] * Self.tanhValue(x[i]).derivative }
                        } else {
                            let start = range.lowerBound
                            VectorMath.map(range.count, x + start, dy + start, into: dx + start) { x, dy in
                                let (cdf, density) = VectorMath.normal(x)
                                return dy * (cdf + x * density)
                            }
                        }
                    }
                }
            }
        }
    }

    /// ½·x·(1 + tanh u) and its derivative.
    @inline(__always) static func tanhValue(_ x: Float) -> (value: Float, derivative: Float) {
        let (k, c): (Float, Float) = (0.797_884_56, 0.044_715)  // √(2/π)
        let t = Foundation.tanh(k * (x + c * x * x * x))
        return (0.5 * x * (1 + t), 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * k * (1 + 3 * c * x * x))
    }
}

extension LayerSpec {
    /// `nn.GELU(approximate=…)`: a `GELU` layer, exact (erf) by default.
    public static func gelu(approximate: GELU.Approximation = .exact) -> LayerSpec {
        LayerSpec(kind: GELU.kind, encoding: GELU.Configuration(approximate: approximate.rawValue))
    }
}
