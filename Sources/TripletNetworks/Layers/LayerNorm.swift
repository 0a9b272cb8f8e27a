import TripletCore

/// Layer normalisation, `nn.LayerNorm(normalized_shape, eps=1e-5, elementwise_affine=True)`: each sample is
/// normalised over its trailing dimensions (those equal to `normalizedShape`):
/// y = (x − μ) / √(σ² + eps) · γ + β, with μ and the biased variance σ² taken over those F = ∏ normalizedShape
/// values. Any input [d₀, …, normalizedShape…] with at least one leading dimension works ([N, F],
/// [N, T, F], …). With `elementwiseAffine`, parameters "weight" (γ, ones) and "bias" (β, zeros) have shape
/// `normalizedShape`; without it there are none. Training and evaluation compute the same thing.
///
/// Backward, per sample with x̂ = (x − μ)/σ and g = dy·γ:
/// dx = (g − mean(g) − x̂·mean(g·x̂)) / σ; dγ += Σ dy·x̂ and dβ += Σ dy over the samples.
///
/// ```swift
/// let norm = try LayerNorm(normalizedShape: [64])
/// let y = try norm(tokens)  // tokens: [N, T, 64]
/// ```
public final class LayerNorm: ConfigurableLayer {
    /// The trailing dimensions normalised together.
    public let normalizedShape: [Int]
    /// Added to the variance before the square root.
    public let eps: Float
    /// γ, shaped `normalizedShape` (nil without elementwise affine).
    public let weight: Parameter?
    /// β, shaped `normalizedShape` (nil without elementwise affine).
    public let bias: Parameter?
    /// Threads: the samples are split across them.
    public var threads = 1

    private var normalized: Tensor?
    private var inverseStd: [Float] = []

    /// A layer over `normalizedShape`; throws unless its dimensions are positive and eps is finite and > 0.
    public init(normalizedShape: [Int], eps: Float = 1e-5, elementwiseAffine: Bool = true) throws {
        guard !normalizedShape.isEmpty, normalizedShape.allSatisfy({ $0 > 0 }), eps > 0, eps.isFinite else {
            throw TripletError.invalidParameter(
                name: "LayerNorm", value: "normalizedShape \(normalizedShape), eps \(eps)",
                expected: "at least one dimension, all positive, and a finite eps > 0")
        }
        try Initializers.reserve(normalizedShape, copies: elementwiseAffine ? 2 : 0, name: "LayerNorm normalizedShape")
        (self.normalizedShape, self.eps) = (normalizedShape, eps)
        if elementwiseAffine {
            weight = Parameter(
                name: "weight", value: Tensor.filled(normalizedShape) { $0.update(repeating: 1) })
            bias = Parameter(name: "bias", value: Tensor.filled(normalizedShape) { $0.update(repeating: 0) })
        } else {
            (weight, bias) = (nil, nil)
        }
    }

    /// The normalised shape, eps and whether there are γ and β.
    public struct Configuration: Codable, Sendable {
        /// The trailing dimensions normalised together.
        public var normalizedShape: [Int]
        /// Added to the variance.
        public var eps: Float
        /// Whether there are γ and β.
        public var elementwiseAffine: Bool
    }
    /// "layerNorm".
    public static let kind = "layerNorm"
    /// Its shape and options.
    public var configuration: Configuration {
        Configuration(normalizedShape: normalizedShape, eps: eps, elementwiseAffine: weight != nil)
    }

    /// A layer of `configuration`.
    public convenience init(configuration c: Configuration, builder: inout LayerBuilder) throws {
        try self.init(normalizedShape: c.normalizedShape, eps: c.eps, elementwiseAffine: c.elementwiseAffine)
    }
    /// γ, then β (none without elementwise affine).
    public var parameters: [Parameter] { [weight, bias].compactMap { $0 } }

    private var name: String { "LayerNorm(\(normalizedShape))" }

    /// (samples, features per sample) of a valid input.
    private func layout(_ input: Tensor) throws -> (rows: Int, width: Int) {
        let s = input.shape
        guard s.count > normalizedShape.count, Array(s.suffix(normalizedShape.count)) == normalizedShape,
            s.allSatisfy({ $0 > 0 })
        else {
            let expected = "[N, …] + \(normalizedShape) (at least one leading dimension) for \(name)"
            throw TripletError.shapeMismatch(expected: expected, got: s)
        }
        let width = normalizedShape.reduce(1, *)
        return (input.scalars.count / width, width)
    }

    /// Normalises each sample over the trailing dimensions; throws on a shape whose trailing dimensions
    /// differ from `normalizedShape`, or on NaN / infinity.
    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        let (rows, width) = try layout(input)
        try input.requireFinite("\(name) input")
        var invStd = [Float](repeating: 0, count: rows)
        let eps = Double(self.eps)
        let xhat = Tensor.filled(input.shape) { out in
            input.scalars.withUnsafeBufferPointer { x in
                invStd.withUnsafeMutableBufferPointer { inv in
                    let (x, out, inv) = (x.baseAddress!, out.baseAddress!, inv.baseAddress!)
                    Parallel.forEachChunk(rows, threads: rows * width >= 1 << 15 ? threads : 1) { range in
                        for r in range {
                            let (row, dst) = (x + r * width, out + r * width)
                            // Two passes in Double: the mean, then the centred sum of squares.
                            var sum = 0.0
                            for j in 0..<width { sum += Double(row[j]) }
                            let mean = sum / Double(width)
                            var squares = 0.0
                            for j in 0..<width {
                                let d = Double(row[j]) - mean
                                squares += d * d
                            }
                            let s = Float(1 / (squares / Double(width) + eps).squareRoot())
                            let m = Float(mean)
                            for j in 0..<width { dst[j] = (row[j] - m) * s }
                            inv[r] = s
                        }
                    }
                }
            }
        }
        if training {
            normalized = xhat
            inverseStd = invStd
        } else {
            normalized = nil
        }
        guard let weight, let bias else { return xhat }
        return Tensor.filled(input.shape) { out in
            xhat.scalars.withUnsafeBufferPointer { xh in
                weight.value.scalars.withUnsafeBufferPointer { g in
                    bias.value.scalars.withUnsafeBufferPointer { b in
                        let (xh, out, g, b) = (xh.baseAddress!, out.baseAddress!, g.baseAddress!, b.baseAddress!)
                        Parallel.forEachChunk(rows, threads: rows * width >= 1 << 15 ? threads : 1) { range in
                            for r in range {
                                let (src, dst) = (xh + r * width, out + r * width)
                                for j in 0..<width { dst[j] = src[j] * g[j] + b[j] }
                            }
                        }
                    }
                }
            }
        }
    }

    /// dx = (g − mean(g) − x̂·mean(g·x̂)) / σ with g = dy·γ; adds Σ dy·x̂ to γ's gradient and Σ dy to β's.
    public func backward(_ gradOutput: Tensor) throws -> Tensor {
        _ = try ShapeCheck.gradient(gradOutput, matches: normalized?.shape, layer: name)
        guard let xhat = normalized else { return gradOutput }
        let (rows, width) = try layout(xhat)
        if let weight, let bias {
            gradOutput.scalars.withUnsafeBufferPointer { dy in
                xhat.scalars.withUnsafeBufferPointer { xh in
                    weight.gradient.scalars.withUnsafeMutableBufferPointer { dg in
                        for r in 0..<rows {
                            let (dyRow, xhRow) = (dy.baseAddress! + r * width, xh.baseAddress! + r * width)
                            for j in 0..<width { dg[j] += dyRow[j] * xhRow[j] }
                        }
                    }
                    bias.gradient.scalars.withUnsafeMutableBufferPointer { db in
                        Kernels.addColumnSums(dy.baseAddress!, rows: rows, columns: width, into: db.baseAddress!)
                    }
                }
            }
        }
        let gamma = weight?.value.scalars ?? [Float](repeating: 1, count: width)
        return Tensor.filled(xhat.shape) { dx in
            gradOutput.scalars.withUnsafeBufferPointer { dy in
                xhat.scalars.withUnsafeBufferPointer { xh in
                    gamma.withUnsafeBufferPointer { g in
                        inverseStd.withUnsafeBufferPointer { inv in
                            let (dy, xh, dx) = (dy.baseAddress!, xh.baseAddress!, dx.baseAddress!)
                            let (g, inv) = (g.baseAddress!, inv.baseAddress!)
                            Parallel.forEachChunk(rows, threads: rows * width >= 1 << 15 ? threads : 1) { range in
                                for r in range {
                                    Self.rowBackward(
                                        dy + r * width, xh + r * width, g, inverseStd: inv[r], dx + r * width,
                                        width: width)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// One sample's dx = (g − mean(g) − x̂·mean(g·x̂)) / σ, g = dy·γ (dx holds g in between).
    @inline(__always) private static func rowBackward(
        _ dy: UnsafePointer<Float>, _ xh: UnsafePointer<Float>, _ gamma: UnsafePointer<Float>, inverseStd: Float,
        _ dx: UnsafeMutablePointer<Float>, width: Int
    ) {
        var (sumG, sumGX) = (0.0, 0.0)
        for j in 0..<width {
            let g = dy[j] * gamma[j]
            dx[j] = g
            sumG += Double(g)
            sumGX += Double(g * xh[j])
        }
        let (meanG, meanGX) = (Float(sumG / Double(width)), Float(sumGX / Double(width)))
        for j in 0..<width { dx[j] = inverseStd * (dx[j] - meanG - xh[j] * meanGX) }
    }
}

extension LayerSpec {
    /// `nn.LayerNorm(normalizedShape, eps, elementwise_affine)`: a `LayerNorm` layer.
    public static func layerNorm(normalizedShape: [Int], eps: Float = 1e-5, elementwiseAffine: Bool = true)
        -> LayerSpec
    {
        LayerSpec(
            kind: LayerNorm.kind,
            encoding: LayerNorm.Configuration(
                normalizedShape: normalizedShape, eps: eps, elementwiseAffine: elementwiseAffine))
    }
}
