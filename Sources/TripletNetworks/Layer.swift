import TripletCore

/// A trainable tensor and its gradient. `name` is relative to the owning layer, as in PyTorch's
/// `state_dict` ("weight", "bias"); `Sequential` prefixes it ("layers.0.weight").
public final class Parameter {
    /// The name within its layer.
    public let name: String
    /// The current value.
    public var value: Tensor
    /// dL/dvalue accumulated by `backward` since the last `zeroGradient()`.
    public var gradient: Tensor

    /// A parameter with a zero gradient.
    public init(name: String, value: Tensor) {
        self.name = name
        self.value = value
        gradient = .zeros(value.shape)
    }

    /// Sets the gradient to zero (in place).
    public func zeroGradient() {
        gradient.scalars.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
    }
}

/// One layer of a network with an explicit forward and backward pass, called as a function:
/// `let y = try layer(x)` is `forward(x, training: false)`.
///
/// `forward(_:training:)` caches what `backward(_:)` needs (in training mode); `backward` returns
/// dL/dinput and adds dL/dparameter into each parameter's `gradient`. Containers (`Sequential`,
/// `Residual`) are layers too, so networks nest. A layer type that is to be saved and reloaded conforms
/// to `ConfigurableLayer` and is registered in a `LayerRegistry`.
public protocol Layer: AnyObject {
    /// The architecture entry that rebuilds this layer.
    var spec: LayerSpec { get }
    /// The layer's own trainable parameters, in PyTorch's `state_dict` order.
    var parameters: [Parameter] { get }
    /// Non-trainable state saved with the weights (BatchNorm's running statistics), PyTorch's names.
    var buffers: [Parameter] { get }
    /// Every trainable parameter under its PyTorch name relative to this layer ("weight"; "0.weight" and
    /// "body.1.bias" in containers). Defaults to `parameters` under their own names.
    var namedParameters: [(name: String, parameter: Parameter)] { get }
    /// Every buffer under its PyTorch name relative to this layer. Defaults to `buffers`.
    var namedBuffers: [(name: String, parameter: Parameter)] { get }
    /// Parameters and buffers in PyTorch's `state_dict` order: each module's own parameters, then its own
    /// buffers, then its children's. Defaults to `namedParameters + namedBuffers`, right for a plain layer.
    var namedState: [(name: String, parameter: Parameter)] { get }
    /// The layers a container holds (none for a plain layer).
    var sublayers: [any Layer] { get }
    /// The output for a batch (the first dimension is the batch).
    func forward(_ input: Tensor, training: Bool) throws -> Tensor
    /// dL/dinput for the last training-mode forward, given dL/doutput.
    func backward(_ gradOutput: Tensor) throws -> Tensor
    /// Like `backward(_:)`, but a layer may skip computing dL/dinput (and return nil) when `inputGradient`
    /// is false: the first layers of a network need only their parameter gradients. Defaults to `backward(_:)`.
    func backward(_ gradOutput: Tensor, inputGradient: Bool) throws -> Tensor?
    /// The number of threads the layer may use; layers that do not parallelise ignore it (the default).
    var threads: Int { get set }
}

extension Layer {
    /// No buffers.
    public var buffers: [Parameter] { [] }

    /// `parameters` under their own names.
    public var namedParameters: [(name: String, parameter: Parameter)] { parameters.map { ($0.name, $0) } }

    /// `buffers` under their own names.
    public var namedBuffers: [(name: String, parameter: Parameter)] { buffers.map { ($0.name, $0) } }

    /// Parameters, then buffers.
    public var namedState: [(name: String, parameter: Parameter)] { namedParameters + namedBuffers }

    /// None.
    public var sublayers: [any Layer] { [] }

    /// This layer and every layer inside it, depth first.
    public var allLayers: [any Layer] { [self] + sublayers.flatMap(\.allLayers) }

    /// The output for `input` (evaluation mode unless `training`): `forward(_:training:)`.
    public func callAsFunction(_ input: Tensor, training: Bool = false) throws -> Tensor {
        try forward(input, training: training)
    }

    /// Sets the gradient of every parameter, nested ones included, to zero.
    public func zeroGradients() {
        for (_, parameter) in namedParameters { parameter.zeroGradient() }
    }

    /// Always computes dL/dinput through `backward(_:)`.
    public func backward(_ gradOutput: Tensor, inputGradient: Bool) throws -> Tensor? {
        try backward(gradOutput)
    }

    /// One thread; setting it has no effect.
    public var threads: Int {
        get { 1 }
        set {}
    }
}
