import TripletCore

/// Stochastic gradient descent, `torch.optim.SGD`: with weight decay λ, momentum μ, dampening τ,
/// g ← ∇ + λ·θ; b ← g on the first step, else μ·b + (1 − τ)·g; the update uses g + μ·b (Nesterov) or b,
/// θ ← θ − lr·update. State slot "momentum_buffer" (only when μ ≠ 0).
public final class SGD: Optimizer {
    /// μ.
    public let momentum: Float
    /// τ.
    public let dampening: Float
    /// Whether the update uses Nesterov momentum.
    public let nesterov: Bool
    /// λ (L2 penalty added to the gradient).
    public let weightDecay: Float
    private let state = OptimizerState(slots: ["momentum_buffer"])

    /// An SGD optimizer; throws on negative or non-finite values, or Nesterov without momentum or with
    /// dampening (PyTorch's rule).
    public init(momentum: Float = 0, dampening: Float = 0, nesterov: Bool = false, weightDecay: Float = 0) throws {
        for (name, value) in [("momentum", momentum), ("dampening", dampening), ("weight decay", weightDecay)]
        where !value.isFinite || value < 0 {
            throw TripletError.invalidParameter(name: name, value: "\(value)", expected: "a finite value >= 0")
        }
        guard !nesterov || (momentum > 0 && dampening == 0) else {
            throw TripletError.invalidParameter(
                name: "nesterov", value: "momentum \(momentum), dampening \(dampening)",
                expected: "momentum > 0 and dampening 0")
        }
        (self.momentum, self.dampening, self.nesterov, self.weightDecay) = (momentum, dampening, nesterov, weightDecay)
    }

    /// The number of steps taken.
    public var stepCount: Int { state.stepCount }
    /// Threads for the updates of large parameters.
    public var threads = 1

    /// One SGD step over `parameters`.
    public func step(_ parameters: [(name: String, parameter: Parameter)], learningRate: Float) throws {
        try state.validate(parameters, learningRate: learningRate)
        let (mu, keep, decay, nesterov) = (momentum, 1 - dampening, weightDecay, nesterov)
        for (name, parameter) in parameters {
            let count = parameter.value.scalars.count
            var buffer = state.take(name)?["momentum_buffer"]
            let first = buffer == nil
            if mu != 0, first { buffer = Tensor.filled(parameter.value.shape) { $0.update(repeating: 0) } }
            parameter.gradient.scalars.withUnsafeBufferPointer { grad in
                parameter.value.scalars.withUnsafeMutableBufferPointer { theta in
                    let (grad, theta) = (grad.baseAddress!, theta.baseAddress!)
                    guard mu != 0 else {
                        Elementwise.forEach(count, threads: threads) { range in
                            for i in range { theta[i] += -learningRate * (grad[i] + decay * theta[i]) }
                        }
                        return
                    }
                    buffer!.scalars.withUnsafeMutableBufferPointer { b in
                        let b = b.baseAddress!
                        Elementwise.forEach(count, threads: threads) { range in
                            for i in range {
                                let g = decay == 0 ? grad[i] : grad[i] + decay * theta[i]
                                b[i] = first ? g : b[i] * mu + keep * g
                                theta[i] += -learningRate * (nesterov ? g + mu * b[i] : b[i])
                            }
                        }
                    }
                }
            }
            if let buffer { state.set(name, ["momentum_buffer": buffer]) }
        }
        state.stepCount += 1
    }

    /// "step" and each parameter's "momentum_buffer".
    public func stateDict() -> [(String, Tensor)] { state.stateDict() }

    /// Restores `stateDict()`.
    public func load(stateDict: [(String, Tensor)]) throws { try state.load(stateDict) }
}
