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

/// One layer of a network with an explicit forward and backward pass.
///
/// `forward(_:training:)` caches what `backward(_:)` needs (in training mode); `backward` returns
/// dL/dinput and adds dL/dparameter into each parameter's `gradient`.
public protocol Layer: AnyObject {
    /// The architecture entry that rebuilds this layer.
    var spec: LayerSpec { get }
    /// Trainable parameters, in PyTorch's `state_dict` order.
    var parameters: [Parameter] { get }
    /// Non-trainable state saved with the weights (BatchNorm's running statistics), PyTorch's names.
    var buffers: [Parameter] { get }
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
