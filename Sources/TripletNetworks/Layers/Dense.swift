import TripletCore

/// A fully connected layer, `nn.Linear`: y = x·Wᵀ + b on [N, inputs] → [N, outputs], with weight
/// [outputs, inputs] and bias [outputs], initialised as PyTorch does (U(±1/√inputs) for both).
///
/// ```swift
/// var g = SeededGenerator(seed: 0)
/// let fc = try Dense(inputs: 784, outputs: 256, generator: &g)
/// let y = try fc.forward(x, training: true)  // x: [N, 784]
/// let dx = try fc.backward(dy)               // fc.weight.gradient += dyᵀ·x
/// ```
public final class Dense: ConfigurableLayer {
    /// The number of input features.
    public let inputs: Int
    /// The number of output features.
    public let outputs: Int
    /// The weight, [outputs, inputs].
    public let weight: Parameter
    /// The bias, [outputs], or nil for a layer without one.
    public let bias: Parameter?
    /// Threads for the matrix products.
    public var threads = 1
    private var input: Tensor?
    private var fusedOutput: Tensor?

    /// A layer with PyTorch's default initialisation drawn from `generator`.
    public init(inputs: Int, outputs: Int, bias: Bool = true, generator: inout SeededGenerator) throws {
        guard inputs > 0, outputs > 0 else {
            throw TripletError.invalidParameter(
                name: "Dense size", value: "\(inputs) → \(outputs)", expected: "positive inputs and outputs")
        }
        self.inputs = inputs
        self.outputs = outputs
        let initial = try Initializers.pytorchDefault(
            weightShape: [outputs, inputs], bias: bias, generator: &generator)
        weight = Parameter(name: "weight", value: initial.weight)
        self.bias = initial.bias.map { Parameter(name: "bias", value: $0) }
    }

    /// Sizes and whether there is a bias.
    public struct Configuration: Codable, Sendable {
        /// Input features.
        public var inputs: Int
        /// Output features.
        public var outputs: Int
        /// Whether the layer adds a bias.
        public var bias: Bool
    }
    /// "dense".
    public static let kind = "dense"
    /// Its sizes.
    public var configuration: Configuration { Configuration(inputs: inputs, outputs: outputs, bias: bias != nil) }

    /// A layer of `configuration`, initialised from `builder.generator`.
    public convenience init(configuration c: Configuration, builder: inout LayerBuilder) throws {
        try self.init(inputs: c.inputs, outputs: c.outputs, bias: c.bias, generator: &builder.generator)
    }
    /// Weight, then bias.
    public var parameters: [Parameter] { [weight] + (bias.map { [$0] } ?? []) }

    /// x·Wᵀ + b for x of shape [N, inputs].
    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        try forward(input, training: training, fusedReLU: false)
    }

    /// x·Wᵀ + b, followed by max(0, ·) when `fusedReLU`.
    func forward(_ input: Tensor, training: Bool, fusedReLU: Bool) throws -> Tensor {
        try ShapeCheck.matrix(input, features: inputs, layer: "Dense(\(inputs) → \(outputs))")
        let n = input.shape[0]
        self.input = training ? input : nil
        let (m, o, k) = (n, outputs, inputs)
        let output = Tensor.filled([n, o]) { out in
            let c = out.baseAddress!
            if let bias {
                bias.value.scalars.withUnsafeBufferPointer { b in
                    for row in 0..<m { (c + row * o).update(from: b.baseAddress!, count: o) }
                }
            }
            input.scalars.withUnsafeBufferPointer { x in
                weight.value.scalars.withUnsafeBufferPointer { w in
                    BLAS.gemm(
                        transposeA: false, transposeB: true, m: m, n: o, k: k, alpha: 1,
                        a: x.baseAddress!, lda: k, b: w.baseAddress!, ldb: k, beta: bias == nil ? 0 : 1,
                        c: c, ldc: o, threads: threads)
                }
            }
            if fusedReLU { Kernels.relu(c, c, 0..<(m * o)) }
        }
        fusedOutput = training && fusedReLU ? output : nil
        return output
    }

    /// dL/dx = dy·W; adds dyᵀ·x to the weight gradient and the column sums of dy to the bias gradient.
    public func backward(_ gradOutput: Tensor) throws -> Tensor {
        try backward(gradOutput, inputGradient: true)!
    }

    /// As `backward(_:)`; skips dL/dx (returns nil) when `inputGradient` is false.
    public func backward(_ gradOutput: Tensor, inputGradient: Bool) throws -> Tensor? {
        try backward(gradOutput, inputGradient: inputGradient, fusedReLU: false)
    }

    /// The backward pass; with `fusedReLU`, `gradOutput` is dL/d(relu output), masked by the fused output.
    func backward(_ gradOutput: Tensor, inputGradient: Bool, fusedReLU: Bool) throws -> Tensor? {
        let shape = try ShapeCheck.gradient(
            gradOutput, matches: input.map { [$0.shape[0], outputs] }, layer: "Dense(\(inputs) → \(outputs))")
        guard let input else { return nil }
        let (n, o, k) = (shape[0], outputs, inputs)
        var gradOutput = gradOutput
        if fusedReLU {
            let y = try ShapeCheck.fusedOutput(fusedOutput, layer: "Dense(\(inputs) → \(outputs))")
            gradOutput = Tensor.filled(y.shape) { dx in
                y.scalars.withUnsafeBufferPointer { y in
                    gradOutput.scalars.withUnsafeBufferPointer { dy in
                        Kernels.reluBackward(y.baseAddress!, dy.baseAddress!, dx.baseAddress!, 0..<dx.count)
                    }
                }
            }
        }
        gradOutput.scalars.withUnsafeBufferPointer { dy in
            input.scalars.withUnsafeBufferPointer { x in
                weight.gradient.scalars.withUnsafeMutableBufferPointer { dw in
                    BLAS.gemm(
                        transposeA: true, transposeB: false, m: o, n: k, k: n, alpha: 1,
                        a: dy.baseAddress!, lda: o, b: x.baseAddress!, ldb: k, beta: 1,
                        c: dw.baseAddress!, ldc: k, threads: threads)
                }
            }
            bias?.gradient.scalars.withUnsafeMutableBufferPointer { db in
                Kernels.addColumnSums(dy.baseAddress!, rows: n, columns: o, into: db.baseAddress!)
            }
        }
        guard inputGradient else { return nil }
        return Tensor.filled([n, k]) { dx in
            gradOutput.scalars.withUnsafeBufferPointer { dy in
                weight.value.scalars.withUnsafeBufferPointer { w in
                    BLAS.gemm(
                        transposeA: false, transposeB: false, m: n, n: k, k: o, alpha: 1,
                        a: dy.baseAddress!, lda: o, b: w.baseAddress!, ldb: k, beta: 0,
                        c: dx.baseAddress!, ldc: k, threads: threads)
                }
            }
        }
    }
}

extension LayerSpec {
    /// `nn.Linear(inputs, outputs, bias)`: a `Dense` layer.
    public static func dense(inputs: Int, outputs: Int, bias: Bool = true) -> LayerSpec {
        LayerSpec(kind: Dense.kind, encoding: Dense.Configuration(inputs: inputs, outputs: outputs, bias: bias))
    }
}
