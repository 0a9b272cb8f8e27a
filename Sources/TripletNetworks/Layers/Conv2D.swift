import TripletCore

/// A 2-D convolution, `nn.Conv2d` with square kernels: [N, C, H, W] → [N, O, Ho, Wo] with
/// Ho = ⌊(H + 2p − k) / s⌋ + 1, weight [O, C, k, k], bias [O], zero padding, PyTorch's initialisation.
///
/// Several images at a time are unfolded side by side into a [C·k·k, G·Ho·Wo] column matrix (im2col)
/// and multiplied by the weight seen as [O, C·k·k]; the backward pass forms dW = Σ dY·colᵀ and
/// dcol = Wᵀ·dY, folded back with col2im. Images are split across `threads` workers, each with its own
/// buffers and weight-gradient accumulator, so the GEMMs stay in cache and need no locks. Inside a
/// `Sequential`, a following ReLU (and MaxPool2D) run on each block of output while it is in cache.
///
/// ```swift
/// var g = SeededGenerator(seed: 0)
/// let conv = try Conv2D(inChannels: 1, outChannels: 32, kernel: 3, generator: &g)
/// conv.threads = 2
/// let y = try conv.forward(images, training: true)  // [256, 1, 28, 28] → [256, 32, 26, 26]
/// ```
public final class Conv2D: ConfigurableLayer {
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

    /// The most elements of one worker's column matrix: images are unfolded side by side, as many as fit,
    /// so that each GEMM is wide while its operands stay in cache.
    var columnBudget = 1 << 18

    /// What the last training-mode forward left for backward.
    var cache: ConvCache?
    let columns = Scratch<Float>()
    let products = Scratch<Float>()
    let columnGradients = Scratch<Float>()
    let weightGradients = Scratch<Float>()
    let biasGradients = Scratch<Float>()
    let poolIndices = Scratch<Int32>()

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

    /// Channels, kernel, stride, padding and whether there is a bias.
    public struct Configuration: Codable, Sendable {
        /// Input channels.
        public var inChannels: Int
        /// Output channels.
        public var outChannels: Int
        /// Kernel size (square).
        public var kernel: Int
        /// Stride.
        public var stride: Int
        /// Zero padding on every side.
        public var padding: Int
        /// Whether the layer adds a bias.
        public var bias: Bool
    }
    /// "conv2d".
    public static let kind = "conv2d"
    /// Its sizes.
    public var configuration: Configuration {
        Configuration(
            inChannels: inChannels, outChannels: outChannels, kernel: kernel, stride: stride, padding: padding,
            bias: bias != nil)
    }

    /// A layer of `configuration`, initialised from `builder.generator`.
    public convenience init(configuration c: Configuration, builder: inout LayerBuilder) throws {
        try self.init(
            inChannels: c.inChannels, outChannels: c.outChannels, kernel: c.kernel, stride: c.stride,
            padding: c.padding, bias: c.bias, generator: &builder.generator)
    }
    /// Weight, then bias.
    public var parameters: [Parameter] { [weight] + (bias.map { [$0] } ?? []) }

    var name: String { "Conv2D(\(inChannels) → \(outChannels), k \(kernel), s \(stride), p \(padding))" }

    /// The convolution of `input` ([N, C, H, W]).
    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        try forward(input, training: training, epilogue: .none)
    }

    /// dL/dinput; adds dL/dW and dL/db into the parameter gradients.
    public func backward(_ gradOutput: Tensor) throws -> Tensor {
        try backward(gradOutput, inputGradient: true)!
    }

    /// As `backward(_:)`; skips dL/dinput (col2im and its GEMM) when `inputGradient` is false.
    public func backward(_ gradOutput: Tensor, inputGradient: Bool) throws -> Tensor? {
        try backward(gradOutput, inputGradient: inputGradient, epilogue: .none)
    }
}

/// What runs on each block of convolution output while it is in cache.
enum ConvEpilogue: Equatable {
    /// The convolution alone.
    case none
    /// max(0, ·).
    case relu
    /// max(0, ·), then max pooling (no padding, floor mode): the output is the pooled tensor.
    case reluPool(kernel: Int, stride: Int)
}

/// A training-mode forward's record: its input, sizes, epilogue, and (fused) output for the masks.
struct ConvCache {
    let input: Tensor
    let geometry: ConvGeometry
    let epilogue: ConvEpilogue
    /// The layer's output when an epilogue ran (the ReLU mask; with pooling, the pooled maxima).
    let output: Tensor?
}

extension LayerSpec {
    /// `nn.Conv2d(inChannels, outChannels, kernel, stride, padding, bias)`: a `Conv2D` layer.
    public static func conv2d(
        inChannels: Int, outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0, bias: Bool = true
    ) -> LayerSpec {
        LayerSpec(
            kind: Conv2D.kind,
            encoding: Conv2D.Configuration(
                inChannels: inChannels, outChannels: outChannels, kernel: kernel, stride: stride, padding: padding,
                bias: bias))
    }
}
