import TripletCore

/// NMI and AMI of a k-means clustering of embeddings against their labels (PML's `NMI` and `AMI`).
public struct ClusteringScores: Sendable, Equatable {
    /// Normalised mutual information (arithmetic mean of the entropies).
    public let nmi: Double
    /// Adjusted mutual information (arithmetic mean of the entropies).
    public let ami: Double
    /// The clustering they score.
    public let clustering: KMeansResult
}

extension ClusteringMetrics {
    /// Clusters the embeddings with k-means into as many clusters as there are distinct labels (as PML's
    /// AccuracyCalculator does) and scores the clustering with NMI and AMI.
    /// - Throws: `TripletError` for empty or non-finite embeddings, a label count that differs from the
    ///   rows, or a bad k-means option.
    public static func evaluate(
        embeddings: Tensor, labels: [Int], restarts: Int = 10, seed: UInt64 = 0,
        threads: Int = Parallel.defaultThreads
    ) throws -> ClusteringScores {
        try embeddings.validateEmbeddings()
        guard labels.count == embeddings.rowCount else {
            throw TripletError.labelCountMismatch(embeddings: embeddings.rowCount, labels: labels.count)
        }
        let result = try KMeans(clusters: Set(labels).count, restarts: restarts, seed: seed).fit(
            embeddings, threads: threads)
        return ClusteringScores(
            nmi: try normalizedMutualInformation(labels: labels, clusters: result.assignments),
            ami: try adjustedMutualInformation(labels: labels, clusters: result.assignments), clustering: result)
    }
}
