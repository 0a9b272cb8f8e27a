import TripletCore

/// 2-D max pooling, `nn.MaxPool2d(kernel, stride)` without padding (floor mode): [N, C, H, W] →
/// [N, C, Ho, Wo], Ho = ⌊(H − k) / s⌋ + 1. The forward pass caches the position of each window's
/// maximum (the first one on ties, NaN wins, as PyTorch), and the backward pass routes each gradient
/// there; overlapping windows (s < k) add up.
public final class MaxPool2D: ConfigurableLayer {
    /// Window size k.
    public let kernel: Int
    /// Stride s (PyTorch's default is the kernel size).
    public let stride: Int
    /// Threads: the (image, channel) planes are split across them.
    public var threads = 1
    private var inputShape: [Int]?
    private var outputShape: [Int]?
    private var argmax: [Int32] = []

    /// A pooling layer; throws unless kernel and stride are positive.
    public init(kernel: Int, stride: Int? = nil) throws {
        let stride = stride ?? kernel
        guard kernel > 0, stride > 0 else {
            throw TripletError.invalidParameter(
                name: "MaxPool2D", value: "kernel \(kernel), stride \(stride)", expected: "positive kernel and stride")
        }
        (self.kernel, self.stride) = (kernel, stride)
    }

    /// Window size and stride.
    public struct Configuration: Codable, Sendable {
        /// Window size.
        public var kernel: Int
        /// Stride.
        public var stride: Int
    }
    /// "maxPool2d".
    public static let kind = "maxPool2d"
    /// Its window.
    public var configuration: Configuration { Configuration(kernel: kernel, stride: stride) }

    /// A layer of `configuration`.
    public convenience init(configuration c: Configuration, builder: inout LayerBuilder) throws {
        try self.init(kernel: c.kernel, stride: c.stride)
    }
    /// None.
    public var parameters: [Parameter] { [] }

    /// Drops the record of the last forward (a fused layer did the pooling instead).
    func forget() { inputShape = nil }

    private var name: String { "MaxPool2D(k \(kernel), s \(stride))" }

    /// The maximum of each window.
    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        let s = input.shape
        guard s.count == 4, s.allSatisfy({ $0 > 0 }), s[2] >= kernel, s[3] >= kernel else {
            throw TripletError.shapeMismatch(
                expected: "[N, C, H, W] with H, W >= \(kernel) for \(name)", got: input.shape)
        }
        let (planes, h, w) = (s[0] * s[1], s[2], s[3])
        let (ho, wo) = ((h - kernel) / stride + 1, (w - kernel) / stride + 1)
        let (k, st) = (kernel, stride)
        if training {
            if argmax.count != planes * ho * wo { argmax = [Int32](repeating: 0, count: planes * ho * wo) }
            inputShape = s
            outputShape = [s[0], s[1], ho, wo]
        } else {
            inputShape = nil
        }
        return argmax.withUnsafeMutableBufferPointer { argmax in
            let record = training ? argmax.baseAddress : nil
            return Tensor.filled([s[0], s[1], ho, wo]) { out in
                input.scalars.withUnsafeBufferPointer { x in
                    let (x, out) = (x.baseAddress!, out.baseAddress!)
                    Parallel.forEachChunk(planes, threads: planes * h * w >= 1 << 15 ? threads : 1) { range in
                        for plane in range {
                            let window = PoolWindow(height: h, width: w, kernel: k, stride: st)
                            window.pool(
                                x + plane * h * w, out + plane * ho * wo, record.map { $0 + plane * ho * wo },
                                overread: plane + 1 < planes && h * w >= 16)
                        }
                    }
                }
            }
        }
    }

    /// dL/dinput: each output gradient added at its window's maximum, zero elsewhere.
    public func backward(_ gradOutput: Tensor) throws -> Tensor {
        let out = try ShapeCheck.gradient(gradOutput, matches: inputShape.flatMap { _ in outputShape }, layer: name)
        guard let s = inputShape else { return gradOutput }
        let (planes, size, outSize) = (s[0] * s[1], s[2] * s[3], out[2] * out[3])
        return Tensor.filled(s) { dx in
            gradOutput.scalars.withUnsafeBufferPointer { dy in
                argmax.withUnsafeBufferPointer { argmax in
                    let (dx, dy, argmax) = (dx.baseAddress!, dy.baseAddress!, argmax.baseAddress!)
                    Parallel.forEachChunk(planes, threads: planes * size >= 1 << 15 ? threads : 1) { range in
                        for plane in range {
                            let target = dx + plane * size
                            target.update(repeating: 0, count: size)
                            for o in (plane * outSize)..<((plane + 1) * outSize) {
                                target[Int(argmax[o])] += dy[o]
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The windows of one pooled plane.
struct PoolWindow {
    let height: Int
    let width: Int
    let kernel: Int
    let stride: Int

    /// Writes each window's maximum to `out` ([Ho, Wo]) and, when `argmax` is given, its index in the
    /// plane. Ties keep the first maximum; a NaN wins (PyTorch's rule: take v when v > max or v is NaN).
    /// With `overread`, at least 16 values past the plane's end may be read (they never count).
    func pool(
        _ src: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ argmax: UnsafeMutablePointer<Int32>?,
        overread: Bool = false
    ) {
        if kernel == 2 && stride == 2 {
            poolTwoByTwo(src, out, argmax, overread: overread)
            return
        }
        let (ho, wo) = ((height - kernel) / stride + 1, (width - kernel) / stride + 1)
        for oy in 0..<ho {
            var ox = 0
            while ox < wo {
                var best = oy * stride * width + ox * stride
                var value = src[best]
                for ky in 0..<kernel {
                    let row = (oy * stride + ky) * width + ox * stride
                    for kx in 0..<kernel {
                        let v = src[row + kx]
                        // v > max or v is NaN (never both): a select, not a branch.
                        let take = (v > value) != (v != v)
                        value = take ? v : value
                        best = take ? row + kx : best
                    }
                }
                out[oy * wo + ox] = value
                argmax?[oy * wo + ox] = Int32(best)
                ox += 1
            }
        }
    }

    /// 2×2 windows, stride 2, eight at a time: the even and odd lanes of 16 consecutive values of the two
    /// rows are a window's four cells. With `overread`, the caller guarantees 16 readable values past the
    /// plane's end and rows are read in place; otherwise they are copied into a buffer padded to 16.
    private func poolTwoByTwo(
        _ src: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ argmax: UnsafeMutablePointer<Int32>?,
        overread: Bool
    ) {
        let (ho, wo) = (height / 2, width / 2)
        let padded = (2 * wo + 15) / 16 * 16
        withUnsafeTemporaryAllocation(of: Float.self, capacity: overread ? 1 : 2 * padded) { rows in
            let copy = overread ? nil : rows.baseAddress
            copy?.update(repeating: -.infinity, count: 2 * padded)
            let lanes = SIMD8<Int32>(0, 2, 4, 6, 8, 10, 12, 14)
            for oy in 0..<ho {
                var (top, bottom) = (src + 2 * oy * width, src + (2 * oy + 1) * width)
                if let copy {
                    copy.update(from: top, count: 2 * wo)
                    (copy + padded).update(from: bottom, count: 2 * wo)
                    (top, bottom) = (UnsafePointer(copy), UnsafePointer(copy + padded))
                }
                var ox = 0
                while ox < wo {
                    let upper = Kernels.load16(top + 2 * ox), lower = Kernels.load16(bottom + 2 * ox)
                    let first = SIMD8<Int32>(repeating: Int32(2 * oy * width + 2 * ox)) &+ lanes
                    var best = upper.evenHalf
                    var index = first
                    @inline(__always) func consider(_ v: SIMD8<Float>, _ offset: Int) {
                        let take = (v .> best) .| (v .!= v)
                        best.replace(with: v, where: take)
                        index.replace(with: first &+ Int32(offset), where: take)
                    }
                    consider(upper.oddHalf, 1)
                    consider(lower.evenHalf, width)
                    consider(lower.oddHalf, width + 1)
                    let o = oy * wo + ox
                    if ox + 8 <= wo {
                        UnsafeMutableRawPointer(out + o).storeBytes(of: best, as: SIMD8<Float>.self)
                        if let argmax {
                            UnsafeMutableRawPointer(argmax + o).storeBytes(of: index, as: SIMD8<Int32>.self)
                        }
                    } else {
                        for lane in 0..<(wo - ox) {
                            out[o + lane] = best[lane]
                            argmax?[o + lane] = index[lane]
                        }
                    }
                    ox += 8
                }
            }
        }
    }
}

extension LayerSpec {
    /// `nn.MaxPool2d(kernel, stride)`: a `MaxPool2D` layer.
    public static func maxPool2d(kernel: Int, stride: Int) -> LayerSpec {
        LayerSpec(kind: MaxPool2D.kind, encoding: MaxPool2D.Configuration(kernel: kernel, stride: stride))
    }
}
