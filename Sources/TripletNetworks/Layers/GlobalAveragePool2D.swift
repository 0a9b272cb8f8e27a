import TripletCore

/// Global average pooling: [N, C, H, W] → [N, C], y[n, c] = (1 / (H·W)) · Σᵢⱼ x[n, c, i, j].
///
/// PyTorch has no single module for this: it is `nn.AdaptiveAvgPool2d(1)` followed by `flatten(1)`
/// (`x.mean(dim=(2, 3))`). Inside an `nn.Sequential` whose `state_dict` names must match ours, wrap the
/// two as one entry (`nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(1))`), so that the layers after
/// it keep their indices. The backward pass spreads each gradient evenly: dL/dx[n, c, i, j] =
/// dL/dy[n, c] / (H·W).
///
/// ```swift
/// let net = try Sequential([.conv2d(inChannels: 3, outChannels: 16, kernel: 3, padding: 1), .relu,
///                           .globalAveragePool2d, .dense(inputs: 16, outputs: 8)], seed: 0)
/// ```
public final class GlobalAveragePool2D: ConfigurableLayer {
    /// Threads: the (image, channel) planes are split across them.
    public var threads = 1
    private var inputShape: [Int]?

    /// A global average pooling layer.
    public init() {}

    /// No options.
    public struct Configuration: Codable, Sendable {}
    /// "globalAveragePool2d".
    public static let kind = "globalAveragePool2d"
    /// No options.
    public var configuration: Configuration { Configuration() }

    /// A new layer.
    public convenience init(configuration: Configuration, builder: inout LayerBuilder) throws { self.init() }
    /// None.
    public var parameters: [Parameter] { [] }

    /// The mean of each H×W plane; throws unless the input is [N, C, H, W] with every dimension >= 1 and
    /// finite.
    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        let s = input.shape
        guard s.count == 4, s.allSatisfy({ $0 > 0 }) else {
            throw TripletError.shapeMismatch(expected: "[N, C, H, W] for GlobalAveragePool2D", got: s)
        }
        try input.requireFinite("GlobalAveragePool2D input")
        let (planes, size) = (s[0] * s[1], s[2] * s[3])
        inputShape = training ? s : nil
        let scale = 1 / Double(size)
        return Tensor.filled([s[0], s[1]]) { out in
            input.scalars.withUnsafeBufferPointer { x in
                let (x, out) = (x.baseAddress!, out.baseAddress!)
                Parallel.forEachChunk(planes, threads: planes * size >= 1 << 15 ? threads : 1) { range in
                    for plane in range {
                        // Blocks of 4096 summed in Float (SIMD), the blocks in Double.
                        var sum = 0.0
                        var start = 0
                        while start < size {
                            let count = min(4096, size - start)
                            sum += Double(VectorMath.sum(x + plane * size + start, count))
                            start += count
                        }
                        out[plane] = Float(sum * scale)
                    }
                }
            }
        }
    }

    /// dL/dx[n, c, i, j] = dL/dy[n, c] / (H·W).
    public func backward(_ gradOutput: Tensor) throws -> Tensor {
        _ = try ShapeCheck.gradient(
            gradOutput, matches: inputShape.map { [$0[0], $0[1]] }, layer: "GlobalAveragePool2D")
        guard let s = inputShape else { return gradOutput }
        let (planes, size) = (s[0] * s[1], s[2] * s[3])
        let scale = 1 / Float(size)
        return Tensor.filled(s) { dx in
            gradOutput.scalars.withUnsafeBufferPointer { dy in
                let (dx, dy) = (dx.baseAddress!, dy.baseAddress!)
                Parallel.forEachChunk(planes, threads: planes * size >= 1 << 15 ? threads : 1) { range in
                    for plane in range { (dx + plane * size).update(repeating: dy[plane] * scale, count: size) }
                }
            }
        }
    }
}

extension LayerSpec {
    /// `nn.AdaptiveAvgPool2d(1)` + `flatten(1)`: a `GlobalAveragePool2D` layer.
    public static var globalAveragePool2d: LayerSpec { LayerSpec(kind: GlobalAveragePool2D.kind) }
}
