import TripletCore

/// A 2-D convolution, `nn.Conv2d` with square kernels: [N, C, H, W] → [N, O, Ho, Wo] with
/// Ho = ⌊(H + 2p − k) / s⌋ + 1, weight [O, C, k, k], bias [O], zero padding, PyTorch's initialisation.
///
/// Each image is unfolded into a [C·k·k, Ho·Wo] column matrix (im2col) and multiplied by the weight
/// seen as [O, C·k·k]; the backward pass forms dW = Σ dY·colᵀ and dcol = Wᵀ·dY, folded back with col2im.
/// Images are split across `threads` workers, each with its own column buffers and weight-gradient
/// accumulator, so the GEMMs stay in cache and need no locks.
///
/// ```swift
/// var g = SeededGenerator(seed: 0)
/// let conv = try Conv2D(inChannels: 1, outChannels: 32, kernel: 3, generator: &g)
/// conv.threads = 2
/// let y = try conv.forward(images, training: true)  // [256, 1, 28, 28] → [256, 32, 26, 26]
/// ```
public final class Conv2D: Layer, ReLUFusable {
    /// Input channels C.
    public let inChannels: Int
    /// Output channels O.
    public let outChannels: Int
    /// Kernel size k (square).
    public let kernel: Int
    /// Stride s.
    public let stride: Int
    /// Zero padding p on every side.
    public let padding: Int
    /// The weight, [O, C, k, k].
    public let weight: Parameter
    /// The bias, [O], or nil.
    public let bias: Parameter?
    /// Threads: the batch is split across them.
    public var threads = 1

    private var input: Tensor?
    private var geometry: ConvGeometry?
    private var fusedOutput: Tensor?
    private let columns = Scratch()
    private let products = Scratch()
    private let columnGradients = Scratch()
    private let weightGradients = Scratch()
    private let biasGradients = Scratch()

    /// A convolution with PyTorch's default initialisation drawn from `generator`.
    public init(
        inChannels: Int, outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0, bias: Bool = true,
        generator: inout SeededGenerator
    ) throws {
        guard inChannels > 0, outChannels > 0, kernel > 0, stride > 0, padding >= 0 else {
            throw TripletError.invalidParameter(
                name: "Conv2D",
                value: "in \(inChannels), out \(outChannels), kernel \(kernel), stride \(stride), padding \(padding)",
                expected: "positive channels, kernel and stride, padding >= 0")
        }
        (self.inChannels, self.outChannels, self.kernel, self.stride, self.padding) =
            (inChannels, outChannels, kernel, stride, padding)
        let initial = try Initializers.pytorchDefault(
            weightShape: [outChannels, inChannels, kernel, kernel], bias: bias, generator: &generator)
        weight = Parameter(name: "weight", value: initial.weight)
        self.bias = initial.bias.map { Parameter(name: "bias", value: $0) }
    }

    /// `.conv2d(...)`.
    public var spec: LayerSpec {
        .conv2d(
            inChannels: inChannels, outChannels: outChannels, kernel: kernel, stride: stride, padding: padding,
            bias: bias != nil)
    }
    /// Weight, then bias.
    public var parameters: [Parameter] { [weight] + (bias.map { [$0] } ?? []) }

    private var name: String { "Conv2D(\(inChannels) → \(outChannels), k \(kernel), s \(stride), p \(padding))" }

    private func workers(for batch: Int) -> Int { max(1, min(threads, batch)) }

    /// The most elements of one worker's column matrix: images are unfolded side by side, as many as fit,
    /// so that each GEMM is wide while its operands stay in cache.
    var columnBudget = 1 << 18

    /// Images per GEMM.
    private func group(_ g: ConvGeometry, share: Int) -> Int {
        max(1, min(share, columnBudget / max(1, g.columnRows * g.columnCount)))
    }

    /// The convolution of `input` ([N, C, H, W]).
    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        try forward(input, training: training, fusedReLU: false)
    }

    /// The convolution, followed by max(0, ·) when `fusedReLU`.
    func forward(_ input: Tensor, training: Bool, fusedReLU: Bool) throws -> Tensor {
        try ShapeCheck.images(input, channels: inChannels, layer: name)
        guard input.shape[2] + 2 * padding >= kernel, input.shape[3] + 2 * padding >= kernel else {
            throw TripletError.shapeMismatch(
                expected: "images of at least \(kernel - 2 * padding)×\(kernel - 2 * padding) for \(name)",
                got: input.shape)
        }
        let g = ConvGeometry(
            channels: inChannels, height: input.shape[2], width: input.shape[3], kernel: kernel, stride: stride,
            padding: padding)
        let n = input.shape[0]
        self.input = training ? input : nil
        fusedOutput = nil
        geometry = g
        let (o, kk, p) = (outChannels, g.columnRows, g.columnCount)
        let workers = workers(for: n)
        let group = group(g, share: (n + workers - 1) / workers)
        let cols = columns.reserve(workers * kk * group * p)
        let ys = products.reserve(workers * o * group * p)
        let zeroBias = [Float](repeating: 0, count: o)
        let output = Tensor.filled([n, o, g.outHeight, g.outWidth]) { out in
            let out = out.baseAddress!
            input.scalars.withUnsafeBufferPointer { x in
                weight.value.scalars.withUnsafeBufferPointer { w in
                    (bias?.value.scalars ?? zeroBias).withUnsafeBufferPointer { b in
                        let (x, w, b) = (x.baseAddress!, w.baseAddress!, b.baseAddress!)
                        Parallel.forEachChunk(workers, threads: workers, chunksPerThread: 1) { chunk in
                            for worker in chunk {
                                let (col, y) = (cols + worker * kk * group * p, ys + worker * o * group * p)
                                var first = worker * n / workers
                                let end = (worker + 1) * n / workers
                                while first < end {
                                    let count = min(group, end - first)
                                    let width = count * p
                                    for i in 0..<count {
                                        g.im2col(x + (first + i) * g.imageSize, col + i * p, ldc: width)
                                    }
                                    BLAS.gemm(
                                        transposeA: false, transposeB: false, m: o, n: width, k: kk, alpha: 1,
                                        a: w, lda: kk, b: col, ldb: width, beta: 0, c: y, ldc: width)
                                    for i in 0..<count {
                                        let image = out + (first + i) * o * p
                                        for channel in 0..<o {
                                            Kernels.add(
                                                y + channel * width + i * p, b[channel], image + channel * p, count: p,
                                                relu: fusedReLU)
                                        }
                                    }
                                    first += count
                                }
                            }
                        }
                    }
                }
            }
        }
        if training && fusedReLU { fusedOutput = output }
        return output
    }

    /// dL/dinput; adds dL/dW and dL/db into the parameter gradients.
    public func backward(_ gradOutput: Tensor) throws -> Tensor {
        try backward(gradOutput, inputGradient: true)!
    }

    /// As `backward(_:)`; skips dL/dinput (col2im and its GEMM) when `inputGradient` is false.
    public func backward(_ gradOutput: Tensor, inputGradient: Bool) throws -> Tensor? {
        try backward(gradOutput, inputGradient: inputGradient, fusedReLU: false)
    }

    /// The backward pass; with `fusedReLU`, `gradOutput` is dL/d(relu output), masked by the fused output.
    func backward(_ gradOutput: Tensor, inputGradient: Bool, fusedReLU: Bool) throws -> Tensor? {
        let expected = input.flatMap { x in
            geometry.map { [x.shape[0], outChannels, $0.outHeight, $0.outWidth] }
        }
        _ = try ShapeCheck.gradient(gradOutput, matches: expected, layer: name)
        guard let input, let g = geometry else { return nil }
        let mask = fusedReLU ? try ShapeCheck.fusedOutput(fusedOutput, layer: name) : gradOutput
        let n = input.shape[0]
        let (o, kk, p) = (outChannels, g.columnRows, g.columnCount)
        let workers = workers(for: n)
        let group = group(g, share: (n + workers - 1) / workers)
        let cols = columns.reserve(workers * kk * group * p)
        let dys = products.reserve(workers * o * group * p)
        let dcols = inputGradient ? columnGradients.reserve(workers * kk * group * p) : nil
        let dws = weightGradients.reserve(workers * o * kk, zeroed: true)
        let dbs = biasGradients.reserve(workers * o, zeroed: true)
        let body = { (dx: UnsafeMutablePointer<Float>?) in
            input.scalars.withUnsafeBufferPointer { x in
                gradOutput.scalars.withUnsafeBufferPointer { dy in
                    mask.scalars.withUnsafeBufferPointer { y in
                        self.weight.value.scalars.withUnsafeBufferPointer { w in
                            let (x, dy, y, w) = (x.baseAddress!, dy.baseAddress!, y.baseAddress!, w.baseAddress!)
                            Parallel.forEachChunk(workers, threads: workers, chunksPerThread: 1) { chunk in
                                for worker in chunk {
                                    let (col, dyg) = (cols + worker * kk * group * p, dys + worker * o * group * p)
                                    let (dw, db) = (dws + worker * o * kk, dbs + worker * o)
                                    var first = worker * n / workers
                                    let end = (worker + 1) * n / workers
                                    while first < end {
                                        let count = min(group, end - first)
                                        let width = count * p
                                        for i in 0..<count {
                                            g.im2col(x + (first + i) * g.imageSize, col + i * p, ldc: width)
                                            let at = (first + i) * o * p
                                            for channel in 0..<o {
                                                let target = dyg + channel * width + i * p
                                                if fusedReLU {
                                                    Kernels.reluBackward(
                                                        y + at + channel * p, dy + at + channel * p, target, 0..<p)
                                                } else {
                                                    target.update(from: dy + at + channel * p, count: p)
                                                }
                                            }
                                        }
                                        BLAS.gemm(
                                            transposeA: false, transposeB: true, m: o, n: kk, k: width, alpha: 1,
                                            a: dyg, lda: width, b: col, ldb: width, beta: 1, c: dw, ldc: kk)
                                        for channel in 0..<o {
                                            db[channel] += Kernels.sum(dyg + channel * width, count: width)
                                        }
                                        if let dx, let dcols {
                                            let dcol = dcols + worker * kk * group * p
                                            BLAS.gemm(
                                                transposeA: true, transposeB: false, m: kk, n: width, k: o, alpha: 1,
                                                a: w, lda: kk, b: dyg, ldb: width, beta: 0, c: dcol, ldc: width)
                                            for i in 0..<count {
                                                let dxi = dx + (first + i) * g.imageSize
                                                dxi.update(repeating: 0, count: g.imageSize)
                                                g.col2imAdding(dcol + i * p, ldc: width, dxi)
                                            }
                                        }
                                        first += count
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        var gradInput: Tensor?
        if inputGradient {
            gradInput = Tensor.filled(input.shape) { body($0.baseAddress!) }
        } else {
            body(nil)
        }
        weight.gradient.scalars.withUnsafeMutableBufferPointer { total in
            for worker in 0..<workers {
                for i in 0..<(o * kk) { total[i] += dws[worker * o * kk + i] }
            }
        }
        bias?.gradient.scalars.withUnsafeMutableBufferPointer { total in
            for worker in 0..<workers {
                for i in 0..<o { total[i] += dbs[worker * o + i] }
            }
        }
        return gradInput
    }
}
