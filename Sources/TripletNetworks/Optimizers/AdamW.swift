/// AdamW, `torch.optim.AdamW`: Adam with decoupled weight decay, θ ← θ·(1 − lr·λ) before the Adam
/// update, and PyTorch's default λ = 0.01.
public final class AdamW: Adam {
    /// AdamW with PyTorch's defaults (β = (0.9, 0.999), ε = 1e-8, λ = 0.01).
    public init(beta1: Double = 0.9, beta2: Double = 0.999, eps: Double = 1e-8, weightDecay: Double = 0.01) throws {
        try super.init(beta1: beta1, beta2: beta2, eps: eps, weightDecay: weightDecay, decoupledWeightDecay: true)
    }
}
