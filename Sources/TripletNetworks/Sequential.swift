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

    /// Indices of the layers that ran with the ReLU after them fused in the last forward.
    private var fused: Set<Int> = []

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
        fused = []
        while index < layers.count {
            // Conv2D / Dense followed by ReLU: one pass does both.
            if index + 1 < layers.count, let layer = layers[index] as? any ReLUFusable,
                let relu = layers[index + 1] as? ReLU
            {
                x = try layer.forward(x, training: training, fusedReLU: true)
                relu.adopt(output: x, training: training)
                if training { fused.insert(index) }
                index += 2
                continue
            }
            x = try layers[index].forward(x, training: training)
            index += 1
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
        for index in layers.indices.reversed() where !fused.contains(index - 1) {
            let needed = inputGradient || index > firstTrainable
            let next: Tensor?
            if fused.contains(index), let layer = layers[index] as? any ReLUFusable {
                next = try layer.backward(gradient, inputGradient: needed, fusedReLU: true)
            } else {
                next = try layers[index].backward(gradient, inputGradient: needed)
            }
            guard needed, let next else { return nil }
            gradient = next
        }
        return gradient
    }

    /// Sets every parameter's gradient to zero.
    public func zeroGradients() {
        for layer in layers {
            for parameter in layer.parameters { parameter.zeroGradient() }
        }
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
