import TripletCore

/// Retrieval accuracy with pytorch-metric-learning's `AccuracyCalculator` semantics, the queries being
/// the references themselves (self excluded by index).
public enum RetrievalMetrics {
    /// Precision@1 and MAP@R of embeddings against their own labels. Queries whose label has no other
    /// sample are excluded. MAP@R: R = the number of other samples with the query's label; AP@R =
    /// (1/R) Σᵢ≤R P(i)·rel(i) over the R nearest neighbours.
    public static func evaluate(
        embeddings: Tensor, labels: [Int], metric: KNNMetric = .euclidean, threads: Int = Parallel.defaultThreads
    ) throws -> (precisionAtOne: Double, mapAtR: Double) {
        guard labels.count == embeddings.rowCount else {
            throw TripletError.labelCountMismatch(embeddings: embeddings.rowCount, labels: labels.count)
        }
        var counts: [Int: Int] = [:]
        for label in labels { counts[label, default: 0] += 1 }
        let maxR = (counts.values.max() ?? 1) - 1
        guard maxR >= 1 else {
            throw TripletError.invalidParameter(
                name: "labels", value: "all distinct", expected: "at least one label shared by two samples")
        }
        let knn = try ExactKNN.search(
            queries: embeddings, references: embeddings, k: maxR, metric: metric, excludeSelf: true, threads: threads)
        var p1 = 0.0, map = 0.0, queries = 0
        for q in 0..<labels.count {
            let r = counts[labels[q]]! - 1
            guard r > 0 else { continue }
            queries += 1
            let neighbors = knn.neighbors(of: q)
            if labels[Int(neighbors.first!)] == labels[q] { p1 += 1 }
            var hits = 0, sum = 0.0
            for (i, j) in neighbors.prefix(r).enumerated() where labels[Int(j)] == labels[q] {
                hits += 1
                sum += Double(hits) / Double(i + 1)
            }
            map += sum / Double(r)
        }
        return (p1 / Double(queries), map / Double(queries))
    }
}
