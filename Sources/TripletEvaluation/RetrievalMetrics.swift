import TripletCore

/// Retrieval accuracy with pytorch-metric-learning's `AccuracyCalculator` semantics, on exact nearest
/// neighbours (`ExactKNN`, distance ties broken by the lower reference index).
///
/// ```swift
/// // Queries are the references (each query's own row excluded by index):
/// let s = try RetrievalMetrics.compute(embeddings: e, labels: y, k: .maxBinCount, recallAt: [1, 2, 4, 8])
/// print(s.precisionAtOne, s.mapAtR, s.recall(at: 4)!)
/// // Separate query and reference sets:
/// let t = try RetrievalMetrics.compute(queries: q, queryLabels: qy, references: r, referenceLabels: ry)
/// ```
public enum RetrievalMetrics {
    /// Precision@1 and MAP@R of embeddings against their own labels, the queries being the references
    /// (self excluded by index) and k PML's `max_bin_count`. Queries whose label has no other sample are
    /// excluded. `compute(embeddings:labels:…)` gives every metric.
    public static func evaluate(
        embeddings: Tensor, labels: [Int], metric: KNNMetric = .euclidean, threads: Int = Parallel.defaultThreads
    ) throws -> (precisionAtOne: Double, mapAtR: Double) {
        let scores = try compute(
            embeddings: embeddings, labels: labels, k: .maxBinCount, recallAt: [], metric: metric, threads: threads)
        return (scores.precisionAtOne, scores.mapAtR)
    }

    /// Every retrieval metric of embeddings against their own labels: each row is a query against all the
    /// other rows (itself excluded by index; PML's `get_accuracy(query, query_labels)`).
    /// - Parameters:
    ///   - embeddings: the rows [N, D], each a query and a reference.
    ///   - labels: one label per row.
    ///   - k: the neighbours the PML metrics rank; `nil` ranks every other row (PML's `k=None`).
    ///   - recallAt: the K of each Recall@K, each from 1 to the number of other rows.
    ///   - averaging: per query (PML's default) or per class (PML's `avg_of_avgs`).
    ///   - metric: how rows are compared.
    ///   - threads: threads for the search.
    /// - Throws: `TripletError` for empty or non-finite embeddings, a label count that differs from the
    ///   rows, a k or K out of range, or labels that no two rows share.
    public static func compute(
        embeddings: Tensor, labels: [Int], k: RetrievalK? = nil, recallAt: [Int] = [1],
        metric: KNNMetric = .euclidean, averaging: RetrievalAveraging = .perQuery,
        threads: Int = Parallel.defaultThreads
    ) throws -> RetrievalScores {
        try compute(
            queries: embeddings, queryLabels: labels, references: embeddings, referenceLabels: labels,
            excludeSelf: true, k: k, recallAt: recallAt, metric: metric, averaging: averaging, threads: threads)
    }

    /// Every retrieval metric of queries against a separate reference set (PML's
    /// `get_accuracy(query, query_labels, reference, reference_labels)`): every reference counts, even
    /// one equal to the query. Queries whose label no reference has are excluded.
    /// - Parameters:
    ///   - queries: the query rows [Q, D].
    ///   - queryLabels: one label per query.
    ///   - references: the reference rows [R, D].
    ///   - referenceLabels: one label per reference.
    ///   - k: the neighbours the PML metrics rank; `nil` ranks every reference (PML's `k=None`).
    ///   - recallAt: the K of each Recall@K, each from 1 to the number of references.
    ///   - averaging: per query (PML's default) or per class (PML's `avg_of_avgs`).
    ///   - metric: how rows are compared.
    ///   - threads: threads for the search.
    /// - Throws: `TripletError` for empty or non-finite embeddings, widths that differ, label counts that
    ///   differ from the rows, a k or K out of range, or no query label among the references.
    public static func compute(
        queries: Tensor, queryLabels: [Int], references: Tensor, referenceLabels: [Int], k: RetrievalK? = nil,
        recallAt: [Int] = [1], metric: KNNMetric = .euclidean, averaging: RetrievalAveraging = .perQuery,
        threads: Int = Parallel.defaultThreads
    ) throws -> RetrievalScores {
        try compute(
            queries: queries, queryLabels: queryLabels, references: references, referenceLabels: referenceLabels,
            excludeSelf: false, k: k, recallAt: recallAt, metric: metric, averaging: averaging, threads: threads)
    }

    static func compute(
        queries: Tensor, queryLabels: [Int], references: Tensor, referenceLabels: [Int], excludeSelf: Bool,
        k: RetrievalK?, recallAt: [Int], metric: KNNMetric, averaging: RetrievalAveraging, threads: Int
    ) throws -> RetrievalScores {
        try queries.validateEmbeddings("queries")
        if !excludeSelf { try references.validateEmbeddings("references") }
        guard queryLabels.count == queries.rowCount else {
            throw TripletError.labelCountMismatch(embeddings: queries.rowCount, labels: queryLabels.count)
        }
        guard referenceLabels.count == references.rowCount else {
            throw TripletError.labelCountMismatch(embeddings: references.rowCount, labels: referenceLabels.count)
        }
        guard queries.rowWidth == references.rowWidth else {
            throw TripletError.shapeMismatch(
                expected: "references of width \(queries.rowWidth), as the queries", got: references.shape)
        }
        guard threads >= 1 else {
            throw TripletError.invalidParameter(name: "threads", value: "\(threads)", expected: "at least 1")
        }
        let selfCount = excludeSelf ? 1 : 0
        var referenceCounts: [Int: Int] = [:]
        for label in referenceLabels { referenceCounts[label, default: 0] += 1 }
        let relevant = queryLabels.map { (referenceCounts[$0] ?? 0) - selfCount }
        let maxBinCount = relevant.max() ?? 0
        guard maxBinCount >= 1 else {
            throw TripletError.invalidParameter(
                name: "labels", value: "with no query label shared by another reference",
                expected: "at least one query whose label a reference (other than itself) has")
        }
        let available = references.rowCount - selfCount
        let neighbors: Int
        switch k {
        case nil: neighbors = available
        case .maxBinCount: neighbors = maxBinCount
        case .count(let n):
            guard n >= 1, n <= available else {
                throw TripletError.invalidParameter(
                    name: "k", value: "\(n)",
                    expected: "1...\(available) (the references\(excludeSelf ? " but self" : ""))")
            }
            neighbors = n
        }
        for kk in recallAt where kk < 1 || kk > available {
            throw TripletError.invalidParameter(
                name: "recallAt", value: "\(kk)", expected: "each K in 1...\(available)")
        }
        let searched = max(neighbors, recallAt.max() ?? 0)
        let width = RetrievalQuery.fixedMetrics + recallAt.count
        var perQuery = [Double](repeating: 0, count: queries.rowCount * width)
        try NeighborBlocks.forEach(
            queries: queries, references: references, k: searched, metric: metric, excludeSelf: excludeSelf,
            threads: threads
        ) { rows, indices in
            perQuery.withUnsafeMutableBufferPointer { out in
                var hits = [Bool](repeating: false, count: searched)
                for (row, q) in rows.enumerated() where relevant[q] > 0 {
                    for i in 0..<searched {
                        hits[i] = referenceLabels[Int(indices[row * searched + i])] == queryLabels[q]
                    }
                    RetrievalQuery.score(
                        hits: hits[...], relevant: relevant[q], k: neighbors, recallAt: recallAt,
                        into: out.baseAddress! + q * width)
                }
            }
        }
        let evaluated = (0..<queries.rowCount).filter { relevant[$0] > 0 }
        let means = average(perQuery, width: width, rows: evaluated, labels: queryLabels, averaging: averaging)
        return RetrievalScores(
            precisionAtOne: means[0], rPrecision: means[1], mapAtR: means[2], meanAveragePrecision: means[3],
            meanReciprocalRank: means[4],
            recallAtK: recallAt.enumerated().map { RecallAtK(k: $1, recall: means[RetrievalQuery.fixedMetrics + $0]) },
            k: neighbors, queryCount: evaluated.count, excludedQueryCount: queries.rowCount - evaluated.count)
    }

    /// The mean of each column over `rows`, or the mean over labels of the per-label means.
    static func average(
        _ values: [Double], width: Int, rows: [Int], labels: [Int], averaging: RetrievalAveraging
    ) -> [Double] {
        switch averaging {
        case .perQuery:
            var sums = [Double](repeating: 0, count: width)
            for q in rows { for m in 0..<width { sums[m] += values[q * width + m] } }
            return sums.map { $0 / Double(rows.count) }
        case .perClass:
            var sums: [Int: [Double]] = [:], counts: [Int: Int] = [:]
            for q in rows {
                var s = sums[labels[q]] ?? [Double](repeating: 0, count: width)
                for m in 0..<width { s[m] += values[q * width + m] }
                sums[labels[q]] = s
                counts[labels[q], default: 0] += 1
            }
            var means = [Double](repeating: 0, count: width)
            for (label, s) in sums.sorted(by: { $0.key < $1.key }) {
                for m in 0..<width { means[m] += s[m] / Double(counts[label]!) }
            }
            return means.map { $0 / Double(sums.count) }
        }
    }
}
