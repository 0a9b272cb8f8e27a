/// The linear learners a model folder can be fitted with (`triplet fit-linear --learner …`).
public enum LinearLearner: String, Codable, CaseIterable, Sendable {
    /// OASIS (Chechik et al. 2010): a bilinear similarity xᵀWy; the model embeds x ↦ Lx with LᵀL the PSD
    /// part of (W + Wᵀ)/2, compared with the dot product.
    case oasis
    /// Schultz & Joachims (2003): a diagonal metric; the model embeds x ↦ √w ⊙ x, compared with the
    /// Euclidean distance (which then equals the learned metric).
    case relativeComparisons = "relative-comparisons"
    /// The full (optionally low-rank) variant of Schultz & Joachims: x ↦ Lx trained by minibatch
    /// subgradient descent (`LowRankRelativeComparisons`), compared with the Euclidean distance.
    case relativeComparisonsFull = "relative-comparisons-full"
}
