import Foundation
import TripletCore

/// Adam, `torch.optim.Adam` (and, with `decoupledWeightDecay`, `torch.optim.AdamW`), without AMSGrad.
///
/// Per step t (counted per parameter): g ← ∇ (+ λ·θ for Adam's L2 decay; AdamW instead first scales
/// θ ← θ·(1 − lr·λ)); m ← m + (1 − β₁)·(g − m); v ← β₂·v + (1 − β₂)·g²;
/// θ ← θ − (lr / (1 − β₁ᵗ))·m / (√v / √(1 − β₂ᵗ) + ε), with the bias corrections computed in Double as
/// PyTorch does. State slots "step" (shape []), "exp_avg" and "exp_avg_sq".
public class Adam: Optimizer {
    /// β₁, the decay of the first moment.
    public let beta1: Double
    /// β₂, the decay of the second moment.
    public let beta2: Double
    /// ε, added to the denominator.
    public let eps: Double
    /// λ.
    public let weightDecay: Double
    /// Whether λ decays the weights directly (AdamW) rather than being added to the gradient (Adam).
    public let decoupledWeightDecay: Bool
    private let state = OptimizerState(slots: ["step", "exp_avg", "exp_avg_sq"], scalarSlots: ["step"])

    /// Adam with PyTorch's defaults (β = (0.9, 0.999), ε = 1e-8, no weight decay); throws on β outside
    /// [0, 1), or a negative or non-finite ε or λ.
    public init(
        beta1: Double = 0.9, beta2: Double = 0.999, eps: Double = 1e-8, weightDecay: Double = 0,
        decoupledWeightDecay: Bool = false
    ) throws {
        for (name, value) in [("beta1", beta1), ("beta2", beta2)] where !(value >= 0 && value < 1) {
            throw TripletError.invalidParameter(name: name, value: "\(value)", expected: "a value in [0, 1)")
        }
        for (name, value) in [("eps", eps), ("weight decay", weightDecay)] where !value.isFinite || value < 0 {
            throw TripletError.invalidParameter(name: name, value: "\(value)", expected: "a finite value >= 0")
        }
        (self.beta1, self.beta2, self.eps, self.weightDecay, self.decoupledWeightDecay) =
            (beta1, beta2, eps, weightDecay, decoupledWeightDecay)
    }

    /// The number of steps taken.
    public var stepCount: Int { state.stepCount }
    /// Threads for the updates of large parameters.
    public var threads = 1

    /// One Adam step over `parameters`.
    public func step(_ parameters: [(name: String, parameter: Parameter)], learningRate: Float) throws {
        try state.validate(parameters, learningRate: learningRate)
        let lr = Double(learningRate)
        for (name, parameter) in parameters {
            let shape = parameter.value.shape
            let zeros = { Tensor.filled(shape) { $0.update(repeating: 0) } }
            var old = state.take(name)
            var m = old?.removeValue(forKey: "exp_avg") ?? zeros()
            var v = old?.removeValue(forKey: "exp_avg_sq") ?? zeros()
            let t = Double(old?["step"]?.scalars[0] ?? 0) + 1
            let stepSize = Float(-(lr / (1 - pow(beta1, t))))
            let correction2 = Float((1 - pow(beta2, t)).squareRoot())
            let (w1, b2, w2, e) = (Float(1 - beta1), Float(beta2), Float(1 - beta2), Float(eps))
            let l2 = decoupledWeightDecay ? 0 : Float(weightDecay)
            let shrink = Float(1 - lr * weightDecay)
            let count = parameter.value.scalars.count
            parameter.gradient.scalars.withUnsafeBufferPointer { grad in
                parameter.value.scalars.withUnsafeMutableBufferPointer { theta in
                    m.scalars.withUnsafeMutableBufferPointer { m in
                        v.scalars.withUnsafeMutableBufferPointer { v in
                            let (grad, theta, m, v) = (
                                grad.baseAddress!, theta.baseAddress!, m.baseAddress!, v.baseAddress!
                            )
                            let kernel = AdamKernel(
                                beta1Weight: w1, beta2: b2, beta2Weight: w2, eps: e, l2: l2, stepSize: stepSize,
                                correction2: correction2)
                            let decay = decoupledWeightDecay && weightDecay != 0
                            Elementwise.forEach(count, threads: threads) { range in
                                let (at, n) = (range.lowerBound, range.count)
                                if decay {
                                    for i in range { theta[i] *= shrink }
                                }
                                kernel.update(theta: theta + at, gradient: grad + at, m: m + at, v: v + at, count: n)
                            }
                        }
                    }
                }
            }
            state.set(name, ["step": Tensor.filled([]) { $0[0] = Float(t) }, "exp_avg": m, "exp_avg_sq": v])
        }
        state.stepCount += 1
    }

    /// "step" and each parameter's "step", "exp_avg", "exp_avg_sq".
    public func stateDict() -> [(String, Tensor)] { state.stateDict() }

    /// Restores `stateDict()`.
    public func load(stateDict: [(String, Tensor)]) throws { try state.load(stateDict) }
}

/// The per-element Adam update with PyTorch's operation order, sixteen lanes at a time.
struct AdamKernel {
    let beta1Weight: Float
    let beta2: Float
    let beta2Weight: Float
    let eps: Float
    let l2: Float
    let stepSize: Float
    let correction2: Float

    /// g ← ∇ + λθ; m ← lerp(m, g, 1 − β₁); v ← β₂v + (1 − β₂)g²; θ ← θ + stepSize·m / (√v / c₂ + ε).
    func update(
        theta: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>, m: UnsafeMutablePointer<Float>,
        v: UnsafeMutablePointer<Float>, count: Int
    ) {
        var i = 0
        while i + 16 <= count {
            var t = Kernels.load16(theta + i)
            let g = Kernels.load16(gradient + i) + l2 * t
            let m1 = lerp(Kernels.load16(m + i), g)
            let v1 = Kernels.load16(v + i) * beta2 + beta2Weight * g * g
            t += stepSize * m1 / (v1.squareRoot() / correction2 + eps)
            Kernels.store16(m1, m + i)
            Kernels.store16(v1, v + i)
            Kernels.store16(t, theta + i)
            i += 16
        }
        while i < count {
            let g = gradient[i] + l2 * theta[i]
            m[i] = lerp(m[i], g)
            v[i] = v[i] * beta2 + beta2Weight * g * g
            theta[i] += stepSize * m[i] / (v[i].squareRoot() / correction2 + eps)
            i += 1
        }
    }

    /// torch.lerp(m, g, w): m + w·(g − m) for w < 0.5, else g − (g − m)·(1 − w).
    @inline(__always) private func lerp<V: SIMD>(_ m: V, _ g: V) -> V where V.Scalar == Float {
        beta1Weight < 0.5 ? m + beta1Weight * (g - m) : g - (g - m) * (1 - beta1Weight)
    }

    @inline(__always) private func lerp(_ m: Float, _ g: Float) -> Float {
        beta1Weight < 0.5 ? m + beta1Weight * (g - m) : g - (g - m) * (1 - beta1Weight)
    }
}
