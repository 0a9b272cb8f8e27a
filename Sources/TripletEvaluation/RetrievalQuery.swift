/// The retrieval scores of one query, from the same-label flags of its ranked neighbours.
struct RetrievalQuery {
    /// Precision@1, R-precision, MAP@R, mean average precision, reciprocal rank, then one Recall@K each.
    static let fixedMetrics = 5

    /// Writes the query's scores to `out` (`fixedMetrics + recallAt.count` values).
    /// - Parameters:
    ///   - hits: whether each ranked neighbour shares the query's label, closest first (at least `k`).
    ///   - relevant: R, the references that share the label (self excluded), at least 1.
    ///   - k: the neighbours the PML metrics rank.
    static func score(
        hits: ArraySlice<Bool>, relevant: Int, k: Int, recallAt: [Int], into out: UnsafeMutablePointer<Double>
    ) {
        let base = hits.startIndex
        let atR = min(relevant, k)
        var count = 0, hitsAtR = 0, sumAtR = 0.0, sumAtK = 0.0
        var firstHit = -1
        for i in 0..<hits.count where hits[base + i] {
            if firstHit < 0 { firstHit = i }
            guard i < k else { break }
            count += 1
            let precision = Double(count) / Double(i + 1)
            sumAtK += precision
            if i < atR {
                hitsAtR += 1
                sumAtR += precision
            }
        }
        out[0] = hits[base] ? 1 : 0
        out[1] = Double(hitsAtR) / Double(atR)
        out[2] = sumAtR / Double(relevant)
        out[3] = sumAtK / Double(relevant)
        out[4] = firstHit >= 0 && firstHit < k ? 1 / Double(firstHit + 1) : 0
        for (i, kk) in recallAt.enumerated() { out[fixedMetrics + i] = firstHit >= 0 && firstHit < kk ? 1 : 0 }
    }
}
