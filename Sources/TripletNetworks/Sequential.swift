import TripletCore

/// A chain of layers, PyTorch's `nn.Sequential`, and itself a layer, so chains nest. Parameters are named
/// "<index>.<name>" inside it ("1.weight", "3.body.0.bias"); a network saved as a checkpoint is the
/// `Sequential` that a PyTorch module holds in an attribute named `layers`, so its `stateDict()` names
/// are "layers.1.weight" and a safetensors file moves between the two without a mapping table.
///
/// ```swift
/// let net = try Sequential([.flatten, .dense(inputs: 784, outputs: 64), .l2Normalize], seed: 42)
/// net.threads = 2
/// let embeddings = try net(images, training: true)   // [256, 64], rows of norm 1
/// net.zeroGradients()
/// try net.backward(lossGradient, inputGradient: false) // fills every parameter's gradient
/// try optimizer.step(net.stateDictParameters, learningRate: 1e-3)
/// ```
///
/// A layer that can run the ones after it in its own pass (Conv2D → ReLU → MaxPool2D, Conv2D / Dense →
/// ReLU) does so; the numbers are exactly those of the layers run one by one. A network (like its layers)
/// keeps the last forward's activations for backward: use it from one thread at a time; `threads`
/// parallelises inside each call.
public final class Sequential: ConfigurableLayer {
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

    /// A network built from `specs` by `registry`, initialised from one generator seeded with `seed`.
    /// Throws `TripletError.invalidParameter` for a kind the registry does not know or a bad configuration.
    public convenience init(
        _ specs: [LayerSpec], seed: UInt64, threads: Int = 1, registry: LayerRegistry = .standard
    ) throws {
        var builder = LayerBuilder(registry: registry, generator: SeededGenerator(seed: seed))
        let layers = try specs.map { try builder.make($0) }
        self.init(layers: layers, threads: threads)
    }

    /// The specs of the layers.
    public struct Configuration: Codable, Sendable {
        /// The specs of the layers, in order.
        public var layers: [LayerSpec]
    }
    /// "sequential".
    public static let kind = "sequential"
    /// Its layers' specs.
    public var configuration: Configuration { Configuration(layers: specs) }

    /// A nested chain built from `configuration` with the builder's registry and generator.
    public convenience init(configuration: Configuration, builder: inout LayerBuilder) throws {
        var layers: [any Layer] = []
        for spec in configuration.layers { layers.append(try builder.make(spec)) }
        self.init(layers: layers)
    }

    /// The architecture, one entry per layer.
    public var specs: [LayerSpec] { layers.map(\.spec) }
    /// Every parameter of every layer.
    public var parameters: [Parameter] { namedParameters.map(\.parameter) }
    /// Every buffer of every layer.
    public var buffers: [Parameter] { namedBuffers.map(\.parameter) }
    /// "<index>.<name>", in `state_dict` order.
    public var namedParameters: [(name: String, parameter: Parameter)] {
        layers.enumerated().flatMap { index, layer in
            layer.namedParameters.map { ("\(index).\($0.name)", $0.parameter) }
        }
    }
    /// "<index>.<name>", in `state_dict` order.
    public var namedBuffers: [(name: String, parameter: Parameter)] {
        layers.enumerated().flatMap { index, layer in layer.namedBuffers.map { ("\(index).\($0.name)", $0.parameter) } }
    }
    /// Each layer's state under "<index>.<name>", layer after layer.
    public var namedState: [(name: String, parameter: Parameter)] {
        layers.enumerated().flatMap { index, layer in layer.namedState.map { ("\(index).\($0.name)", $0.parameter) } }
    }
    /// The layers.
    public var sublayers: [any Layer] { layers }

    /// The output for `input` (its first dimension is the batch). Throws on a shape a layer cannot take
    /// or on NaN / infinity in the input.
    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        try input.requireFinite("network input")
        var x = input
        var index = 0
        fused = [:]
        while index < layers.count {
            let following = layers[(index + 1)...]
            if let fusing = layers[index] as? any FusingLayer, case let count = fusing.fusedCount(following), count > 0
            {
                x = try fusing.forward(x, training: training, fusing: following.prefix(count))
                if training { fused[index] = count + 1 }
                index += count + 1
            } else {
                x = try layers[index].forward(x, training: training)
                index += 1
            }
        }
        return x
    }

    /// dL/dinput for the last training-mode forward.
    public func backward(_ gradOutput: Tensor) throws -> Tensor {
        try backward(gradOutput, inputGradient: true)!
    }

    /// Back-propagates dL/doutput through the last training-mode forward, adding into every parameter's
    /// gradient. Returns dL/dinput when `inputGradient` is true; otherwise returns nil and skips the
    /// input gradients no parameter needs (those of the first parametrised layer and the layers before it).
    @discardableResult
    public func backward(_ gradOutput: Tensor, inputGradient: Bool) throws -> Tensor? {
        try gradOutput.requireFinite("output gradient")
        let firstTrainable = layers.firstIndex { !$0.namedParameters.isEmpty } ?? layers.count
        var gradient = gradOutput
        var index = layers.count - 1
        while index >= 0 {
            // A fused group is back-propagated by its first layer.
            let start = fused.first { $0.key < index && index < $0.key + $0.value }?.key ?? index
            let needed = inputGradient || start > firstTrainable
            let next: Tensor?
            if let span = fused[start], let fusing = layers[start] as? any FusingLayer {
                next = try fusing.backward(
                    gradient, inputGradient: needed, fusing: layers[(start + 1)..<(start + span)])
            } else {
                next = try layers[start].backward(gradient, inputGradient: needed)
            }
            guard needed, let next else { return nil }
            gradient = next
            index = start - 1
        }
        return gradient
    }
}

extension LayerSpec {
    /// A nested `Sequential` of `layers`, `nn.Sequential(*layers)`.
    public static func sequential(_ layers: [LayerSpec]) -> LayerSpec {
        LayerSpec(kind: Sequential.kind, encoding: Sequential.Configuration(layers: layers))
    }
}
