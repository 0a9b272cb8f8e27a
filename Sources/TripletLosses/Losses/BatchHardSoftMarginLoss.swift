import TripletCore

/// The batch-hard soft-margin triplet loss of Hermans et al. (2017), "In Defense of the Triplet Loss":
/// for every anchor with a positive and a negative, lₐ = softplus(maxₚ d(a,p) − minₙ d(a,n)); the mean over
/// those anchors. Raw (unnormalised) Euclidean distance by default, as in the paper.
///
/// ```swift
/// let out = try BatchHardSoftMarginLoss()(embeddings, labels: labels)
/// ```
public struct BatchHardSoftMarginLoss: EmbeddingLoss {
    /// How embeddings are compared.
    public var distance: Distance
    /// Threads for the row-parallel parts.
    public var threads: Int

    /// The loss on raw Euclidean distances unless told otherwise.
    public init(distance: Distance = .euclidean(normalized: false), threads: Int = Parallel.defaultThreads) {
        self.distance = distance
        self.threads = threads
    }

    /// Evaluates the loss on a [B, D] batch with one label per row.
    public func callAsFunction(_ embeddings: Tensor, labels: [Int]) throws -> LossOutput {
        try TripletMarginLoss(
            margin: 0, distance: distance, miner: BatchHardMiner(), reducer: .mean, smooth: true, threads: threads
        )(embeddings, labels: labels)
    }
}
