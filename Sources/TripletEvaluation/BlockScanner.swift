import TripletCore

/// One worker of `ExactKNN.search`: for a block of queries and a range of references, one GEMM per
/// reference block into its own scores, scanned while still in cache, each query's k best kept up to date.
struct BlockScanner {
    let references: KNNReferences
    let k: Int
    let excludeSelf: Bool
    /// Scores of one query block against one reference block.
    var scores: [Float]
    /// A query's previous best plus the candidates of one scan chunk.
    var buffer: [UInt64]

    init(references: KNNReferences, k: Int, excludeSelf: Bool, scores count: Int) {
        self.references = references
        self.k = k
        self.excludeSelf = excludeSelf
        scores = [Float](repeating: 0, count: count)
        buffer = [UInt64](repeating: 0, count: k + ExactKNN.scanChunk)
    }

    /// Updates `best` (row-major [all queries, k], sorted keys, `.max` when empty) for the queries `range`
    /// of `queries` against the references `referenceRange`, `referenceBlock` references per GEMM.
    mutating func scan(
        queries: UnsafePointer<Float>, range: Range<Int>, references referenceRange: Range<Int>,
        referenceBlock: Int, best: UnsafeMutablePointer<UInt64>
    ) {
        let width = references.width, metric = references.metric, k = k, excludeSelf = excludeSelf
        // The Gram form's rounding is a few ulps of ‖q‖² + ‖r‖²: a generous bound for the scan's slack.
        let largestNorm = references.largestNorm
        let closeRatio = ExactKNN.closeRatio, scanChunk = ExactKNN.scanChunk
        references.rows.withUnsafeBufferPointer { rp in
            references.squaredNorms.withUnsafeBufferPointer { np in
                scores.withUnsafeMutableBufferPointer { sp in
                    buffer.withUnsafeMutableBufferPointer { buffer in
                        let rBase = rp.baseAddress!, norms = np.baseAddress!
                        let rows = range.count
                        for rStart in stride(
                            from: referenceRange.lowerBound, to: referenceRange.upperBound, by: referenceBlock)
                        {
                            let columns = min(referenceBlock, referenceRange.upperBound - rStart)
                            BLAS.gemm(
                                transposeA: false, transposeB: true, m: rows, n: columns, k: width,
                                alpha: 1, a: queries + range.lowerBound * width, lda: width,
                                b: rBase + rStart * width, ldb: width, beta: 0, c: sp.baseAddress!,
                                ldc: columns, threads: 1)
                            for row in 0..<rows {
                                let query = range.lowerBound + row, queryRow = queries + query * width
                                let queryNorm = VectorMath.dot(queryRow, queryRow, width)
                                let slack = 1e-5 * (queryNorm + largestNorm)
                                let s = sp.baseAddress! + row * columns, top = best + query * k
                                // The previous best, then candidates below the k-th best, chunk by chunk.
                                var count = 0
                                while count < k && top[count] != .max {
                                    buffer[count] = top[count]
                                    count += 1
                                }
                                var limit: UInt64 = count == k ? top[k - 1] : .max
                                var limitValue = count == k ? ExactKNN.rankValue(ofKey: limit) : .infinity
                                for chunk in stride(from: 0, to: columns, by: scanChunk) {
                                    let end = min(chunk + scanChunk, columns)
                                    // Sixteen references at a time; only hits leave the SIMD path.
                                    ExactKNN.scan(
                                        s + chunk, norms + rStart + chunk, end - chunk, queryNorm, metric,
                                        limitValue, slack: slack
                                    ) { c in
                                        let j = rStart + chunk + c
                                        if excludeSelf && j == query { return }
                                        var v = ExactKNN.rankValue(s[chunk + c], queryNorm, norms[j], metric)
                                        if metric != .dot && v < closeRatio * (queryNorm + norms[j]) {
                                            v = ExactKNN.exactRankValue(queryRow, rBase + j * width, width, metric)
                                        }
                                        let key = UInt64(SortKey.encode(v)) << 32 | UInt64(j)
                                        if key < limit {
                                            buffer[count] = key
                                            count += 1
                                        }
                                    }
                                    if count >= k {
                                        ExactKNN.selectSmallest(buffer, count: count, k: k)
                                        count = k
                                        limit = buffer[k - 1]
                                        limitValue = ExactKNN.rankValue(ofKey: limit)
                                    }
                                }
                                if count < k {
                                    var head = UnsafeMutableBufferPointer(rebasing: buffer[0..<count])
                                    head.sort()
                                }
                                for i in 0..<count { top[i] = buffer[i] }
                            }
                        }
                    }
                }
            }
        }
    }
}
