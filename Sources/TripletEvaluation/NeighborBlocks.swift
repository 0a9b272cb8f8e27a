import TripletCore

/// Exact k-NN (`ExactKNN.search`) over blocks of queries, so that the neighbour lists of a large k
/// (every reference, say) never all sit in memory at once: about 2²² neighbours per block.
enum NeighborBlocks {
    /// Neighbours per block, above which queries are split.
    static let entriesPerBlock = 1 << 22

    /// Calls `body` with each block of query rows and the reference indices of their `k` nearest
    /// references, row-major [block, k], closest first (ties: lower reference index first).
    ///
    /// With `excludeSelf` (queries are the references), each block asks for k + 1 neighbours and drops
    /// the query's own index, or the last neighbour when the query is not among them (more than k
    /// duplicates of it precede it), as PML's `return_results` does. That is the k nearest other rows.
    /// `blockRows` overrides the rows per block (tests).
    static func forEach(
        queries: Tensor, references: Tensor, k: Int, metric: KNNMetric, excludeSelf: Bool, threads: Int,
        blockRows: Int? = nil, _ body: (Range<Int>, [Int32]) throws -> Void
    ) throws {
        let searched = excludeSelf ? k + 1 : k
        let total = queries.rowCount, width = queries.rowWidth
        let blockRows = min(total, max(1, blockRows ?? max(256, entriesPerBlock / searched)))
        // Checked and normed once for every block.
        let references = try KNNReferences(references, metric: metric)
        for start in stride(from: 0, to: total, by: blockRows) {
            let rows = start..<min(total, start + blockRows)
            let block =
                rows.count == total
                ? queries
                : try Tensor(
                    shape: [rows.count, width],
                    scalars: Array(queries.scalars[rows.lowerBound * width..<rows.upperBound * width]))
            let knn = try ExactKNN.search(queries: block, references: references, k: searched, threads: threads)
            guard excludeSelf else {
                try body(rows, knn.indices)
                continue
            }
            var kept = [Int32](repeating: 0, count: rows.count * k)
            for row in 0..<rows.count {
                let query = Int32(rows.lowerBound + row)
                var n = 0
                for j in knn.indices[row * searched..<(row + 1) * searched] where j != query && n < k {
                    kept[row * k + n] = j
                    n += 1
                }
            }
            try body(rows, kept)
        }
    }
}
