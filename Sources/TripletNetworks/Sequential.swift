import TripletCore

/// A chain of layers, PyTorch's `nn.Sequential` held in an attribute named `layers`: parameters are
/// named "layers.<index>.<name>" ("layers.1.weight"), so a `stateDict()` saved as safetensors loads into
/// such a PyTorch module and back.
///
/// ```swift
/// let net = try Sequential.mlp(inputs: 784, hidden: [256], outputs: 64, seed: 42)
/// net.threads = 2
/// let embeddings = try net.forward(images, training: true)  // [256, 64], rows of norm 1
/// net.zeroGradients()
/// try net.backward(lossGradient)                              // fills every parameter's gradient
/// try optimizer.step(net.namedParameters, learningRate: 1e-3)
/// ```
///
/// Conv2D → ReLU → MaxPool2D and Conv2D / Dense → ReLU run fused (the activation and pooling happen on
/// each block of output while it is in cache); the numbers are exactly those of the layers run one by
/// one. A network (like its layers) keeps the last forward's activations for backward: use it from one
/// thread at a time; `threads` parallelises inside each call.
public final class Sequential {
    /// The layers, applied in order.
    public let layers: [any Layer]

    /// Threads every layer may use; setting it passes the value to each layer.
    public var threads: Int {
        didSet {
            threads = max(1, threads)
            for layer in layers { layer.threads = threads }
        }
    }

    /// The layers that ran fused with the ones after them in the last training-mode forward: the index
    /// of the first layer and how many it covered.
    private var fused: [Int: Int] = [:]

    /// A network of the given layers.
    public init(layers: [any Layer], threads: Int = 1) {
        self.layers = layers
        self.threads = max(1, threads)
        for layer in layers { layer.threads = self.threads }
    }

    /// A network built from `specs`, initialised from one generator seeded with `seed`.
    public convenience init(_ specs: [LayerSpec], seed: UInt64, threads: Int = 1) throws {
        var generator = SeededGenerator(seed: seed)
        let layers = try specs.map { try $0.makeLayer(generator: &generator) }
        self.init(layers: layers, threads: threads)
    }

    /// The architecture, one entry per layer.
    public var specs: [LayerSpec] { layers.map(\.spec) }

    /// The output for `input` (its first dimension is the batch). Throws on a shape a layer cannot take
    /// or on NaN / infinity in the input.
    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        try input.requireFinite("network input")
        var x = input
        var index = 0
        fused = [:]
        while index < layers.count {
            let span = fusableSpan(at: index)
            switch span {
            case 3:
                // Conv2D → ReLU → MaxPool2D: activation and pooling on each block of output in cache.
                let (conv, pool) = (layers[index] as! Conv2D, layers[index + 2] as! MaxPool2D)
                x = try conv.forward(
                    x, training: training, epilogue: .reluPool(kernel: pool.kernel, stride: pool.stride))
                (layers[index + 1] as! ReLU).adopt(output: nil, training: false)
                pool.forget()
            case 2:
                // Conv2D / Dense → ReLU: one pass does both.
                x = try (layers[index] as! any ReLUFusable).forward(x, training: training, fusedReLU: true)
                (layers[index + 1] as! ReLU).adopt(output: x, training: training)
            default:
                x = try layers[index].forward(x, training: training)
            }
            if training && span > 1 { fused[index] = span }
            index += span
        }
        return x
    }

    /// Back-propagates dL/doutput through the last training-mode forward, adding into every parameter's
    /// gradient. Returns dL/dinput when `inputGradient` is true; otherwise returns nil and skips the
    /// input gradients no parameter needs (those of the first parametrised layer and the layers before it).
    @discardableResult
    public func backward(_ gradOutput: Tensor, inputGradient: Bool = false) throws -> Tensor? {
        try gradOutput.requireFinite("output gradient")
        let firstTrainable = layers.firstIndex { !$0.parameters.isEmpty } ?? layers.count
        var gradient = gradOutput
        var index = layers.count - 1
        while index >= 0 {
            // A fused group is back-propagated by its first layer.
            let start = fused.first { $0.key < index && index < $0.key + $0.value }?.key ?? index
            let needed = inputGradient || start > firstTrainable
            let next: Tensor?
            switch fused[start] {
            case 3:
                let pool = layers[start + 2] as! MaxPool2D
                next = try (layers[start] as! Conv2D).backward(
                    gradient, inputGradient: needed, epilogue: .reluPool(kernel: pool.kernel, stride: pool.stride))
            case 2:
                next = try (layers[start] as! any ReLUFusable).backward(
                    gradient, inputGradient: needed, fusedReLU: true)
            default:
                next = try layers[start].backward(gradient, inputGradient: needed)
            }
            guard needed, let next else { return nil }
            gradient = next
            index = start - 1
        }
        return gradient
    }

    /// Sets every parameter's gradient to zero.
    public func zeroGradients() {
        for layer in layers {
            for parameter in layer.parameters { parameter.zeroGradient() }
        }
    }

    /// How many layers from `index` run as one: 3 for Conv2D → ReLU → MaxPool2D, 2 for Conv2D or Dense →
    /// ReLU, else 1.
    private func fusableSpan(at index: Int) -> Int {
        guard index + 1 < layers.count, layers[index] is any ReLUFusable, layers[index + 1] is ReLU else { return 1 }
        if layers[index] is Conv2D, index + 2 < layers.count, layers[index + 2] is MaxPool2D { return 3 }
        return 2
    }

    /// Every trainable parameter with its PyTorch name ("layers.0.weight"), in `state_dict` order.
    public var namedParameters: [(name: String, parameter: Parameter)] {
        layers.enumerated().flatMap { index, layer in
            layer.parameters.map { (name: "layers.\(index).\($0.name)", parameter: $0) }
        }
    }

    /// Every buffer (BatchNorm's running statistics) with its PyTorch name, in `state_dict` order.
    public var namedBuffers: [(name: String, parameter: Parameter)] {
        layers.enumerated().flatMap { index, layer in
            layer.buffers.map { (name: "layers.\(index).\($0.name)", parameter: $0) }
        }
    }
}
