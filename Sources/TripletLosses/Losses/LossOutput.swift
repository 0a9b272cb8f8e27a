import TripletCore

/// What every loss returns: the value, its gradient with respect to the embeddings, and statistics for
/// progress display.
public struct LossOutput: Sendable {
    /// The reduced loss.
    public var value: Float
    /// dL/d(embeddings), the same shape as the embeddings passed in.
    public var gradient: Tensor
    /// Counts and mean distances of the batch.
    public var stats: LossStats
}

/// Statistics of one loss evaluation.
public struct LossStats: Sendable, Equatable {
    /// Triplets (or pairs) the loss considered: every mined one.
    public var candidateCount: Int
    /// Those with a loss above zero.
    public var activeCount: Int
    /// Mean raw distance (or similarity) over the positive pairs (i ≠ j, same label); 0 if none.
    public var meanPositiveDistance: Double
    /// Mean raw distance (or similarity) over the negative pairs (different labels); 0 if none.
    public var meanNegativeDistance: Double

    /// activeCount / candidateCount, 0 when nothing was considered.
    public var activeFraction: Double {
        candidateCount > 0 ? Double(activeCount) / Double(candidateCount) : 0
    }
}

extension LossOutput {
    /// The zero loss of a batch in which nothing counts (no valid triplet or pair).
    static func zero(like embeddings: Tensor, stats: LossStats) -> LossOutput {
        LossOutput(value: 0, gradient: .zeros(embeddings.shape), stats: stats)
    }
}
