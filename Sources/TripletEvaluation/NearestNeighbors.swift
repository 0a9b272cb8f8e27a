import Foundation
import TripletCore

/// The k nearest references of every query, closest first (ties: lower reference index first).
public struct NearestNeighbors: Sendable {
    /// Neighbours per query.
    public let k: Int
    /// Reference indices, row-major [queries, k].
    public let indices: [Int32]
    /// Their distances (for a similarity metric: the negated similarity), row-major [queries, k].
    public let distances: [Float]

    /// The neighbours of query q.
    public func neighbors(of q: Int) -> ArraySlice<Int32> { indices[q * k..<(q + 1) * k] }
}

/// How queries and references are compared for the nearest-neighbour search.
public enum KNNMetric: String, Sendable, CaseIterable, Codable {
    /// ‖q − r‖₂.
    case euclidean
    /// ‖q − r‖₂².
    case squaredEuclidean
    /// Cosine similarity (larger is closer); distances report 1 − cos.
    case cosine
    /// Dot product (larger is closer); distances report its negation.
    case dot
}

/// Exact k-nearest-neighbour search: blocks of queries against blocks of references through one GEMM
/// each, every query keeping its k best so far, so memory stays at one block pair (512 × 1024 scores per thread at
/// most), never Q × R: a million references need no million-wide matrix.
public enum ExactKNN {
    /// References scanned between two selections of a query's k best (the pruning threshold tightens).
    static let scanChunk = 4096

    /// The k nearest references of every query. With `excludeSelf`, queries are the references (same rows,
    /// same order) and query i never returns reference i, as PML's AccuracyCalculator does.
    public static func search(
        queries: Tensor, references: Tensor, k: Int, metric: KNNMetric = .euclidean, excludeSelf: Bool = false,
        threads: Int = Parallel.defaultThreads
    ) throws -> NearestNeighbors {
        try search(
            queries: queries, references: references, k: k, metric: metric, excludeSelf: excludeSelf,
            threads: threads, queryBlock: 512, referenceBlock: 1024)
    }

    /// `search` with explicit block sizes (queries and references per GEMM).
    static func search(
        queries: Tensor, references: Tensor, k: Int, metric: KNNMetric, excludeSelf: Bool, threads: Int,
        queryBlock: Int, referenceBlock: Int
    ) throws -> NearestNeighbors {
        try queries.validateEmbeddings("queries")
        try references.validateEmbeddings("references")
        guard queries.rowWidth == references.rowWidth else {
            throw TripletError.shapeMismatch(
                expected: "queries and references of the same width", got: references.shape)
        }
        if excludeSelf && queries.rowCount != references.rowCount {
            throw TripletError.invalidParameter(
                name: "excludeSelf", value: "true", expected: "queries that are the references (same row count)")
        }
        let available = references.rowCount - (excludeSelf ? 1 : 0)
        guard k >= 1, k <= available else {
            throw TripletError.invalidParameter(name: "k", value: "\(k)", expected: "1...\(available)")
        }
        let (q, r) = metric == .cosine ? (normalized(queries), normalized(references)) : (queries, references)
        let nq = q.rowCount, nr = r.rowCount, width = q.rowWidth
        let referenceNorms = squaredNorms(r)
        let halfNorms = referenceNorms.map { $0 / 2 }
        // The Gram form's rounding is a few ulps of ‖q‖² + ‖r‖²: a generous bound for the scan's slack.
        let largestNorm = referenceNorms.max() ?? 0
        let closeRatio = Self.closeRatio
        // Per query: its k best keys (distance key << 32 | reference index), sorted once full.
        var best = [UInt64](repeating: .max, count: nq * k)
        let blocks = (nq + queryBlock - 1) / queryBlock
        q.scalars.withUnsafeBufferPointer { qp in
            r.scalars.withUnsafeBufferPointer { rp in
                referenceNorms.withUnsafeBufferPointer { np in
                    halfNorms.withUnsafeBufferPointer { hp in
                        best.withUnsafeMutableBufferPointer { bp in
                            let qBase = qp.baseAddress!, rBase = rp.baseAddress!, norms = np.baseAddress!
                            let halves = hp.baseAddress!
                            // Each worker owns whole query blocks: its own GEMM (one thread) into its own scores,
                            // scanned while they are still in cache; no barrier between GEMM and scan.
                            Parallel.forEachChunk(blocks, threads: threads) { mine in
                                var scores = [Float](repeating: 0, count: min(queryBlock, nq) * min(referenceBlock, nr))
                                var buffer = [UInt64](repeating: 0, count: k + scanChunk)
                                for block in mine {
                                    let qStart = block * queryBlock, rows = min(queryBlock, nq - qStart)
                                    for rStart in stride(from: 0, to: nr, by: referenceBlock) {
                                        let columns = min(referenceBlock, nr - rStart)
                                        scores.withUnsafeMutableBufferPointer { sp in
                                            BLAS.gemm(
                                                transposeA: false, transposeB: true, m: rows, n: columns, k: width,
                                                alpha: 1, a: qBase + qStart * width, lda: width,
                                                b: rBase + rStart * width, ldb: width, beta: 0, c: sp.baseAddress!,
                                                ldc: columns, threads: 1)
                                            for row in 0..<rows {
                                                let query = qStart + row, queryRow = qBase + query * width
                                                let queryNorm = squaredNorm(queryRow, width)
                                                let slack = 1e-5 * (queryNorm + largestNorm)
                                                let s = sp.baseAddress! + row * columns,
                                                    top = bp.baseAddress! + query * k
                                                // The previous best, then candidates below the k-th best, chunk by chunk.
                                                var count = 0
                                                while count < k && top[count] != .max {
                                                    buffer[count] = top[count]
                                                    count += 1
                                                }
                                                var limit: UInt64 = count == k ? top[k - 1] : .max
                                                var limitValue = count == k ? rankValue(ofKey: limit) : .infinity
                                                for chunk in stride(from: 0, to: columns, by: scanChunk) {
                                                    let end = min(chunk + scanChunk, columns)
                                                    // Sixteen references at a time; only hits leave the SIMD path.
                                                    scan(
                                                        s + chunk, halves + rStart + chunk, end - chunk, queryNorm,
                                                        metric,
                                                        limitValue, slack: slack
                                                    ) { c in
                                                        let j = rStart + chunk + c
                                                        if excludeSelf && j == query { return }
                                                        var v = rankValue(s[chunk + c], queryNorm, norms[j], metric)
                                                        if metric != .dot && v < closeRatio * (queryNorm + norms[j]) {
                                                            v = exactRankValue(
                                                                queryRow, rBase + j * width, width, metric)
                                                        }
                                                        let key = UInt64(SortKey.encode(v)) << 32 | UInt64(j)
                                                        if key < limit {
                                                            buffer[count] = key
                                                            count += 1
                                                        }
                                                    }
                                                    if count >= k {
                                                        selectSmallest(&buffer, count: count, k: k)
                                                        count = k
                                                        limit = buffer[k - 1]
                                                        limitValue = rankValue(ofKey: limit)
                                                    }
                                                }
                                                if count < k { buffer[0..<count].sort() }
                                                for i in 0..<count { top[i] = buffer[i] }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        let indices = best.map { Int32(truncatingIfNeeded: $0 & 0xFFFF_FFFF) }
        let distances = best.map { key -> Float in
            let v = rankValue(ofKey: key)
            return metric == .euclidean ? v.squareRoot() : v
        }
        return NearestNeighbors(k: k, indices: indices, distances: distances)
    }

    /// A squared distance below this fraction of ‖q‖² + ‖r‖² is recomputed from the difference: the Gram
    /// form loses float32 accuracy there, enough to misrank the tight clusters a well-trained model makes.
    static let closeRatio: Float = 1e-2

    /// The ranking value (smaller is closer) of a reference from its GEMM score: the squared distance for
    /// the Euclidean metrics, 1 − cos = ‖q − r‖²/2 for the cosine (normalised rows), −score for the dot
    /// product. Euclidean distances are square-rooted only for the k kept.
    @inline(__always)
    static func rankValue(_ score: Float, _ queryNorm: Float, _ norm: Float, _ metric: KNNMetric) -> Float {
        switch metric {
        case .dot: return -score
        case .cosine: return max(queryNorm + norm - 2 * score, 0) / 2
        case .euclidean, .squaredEuclidean: return max(queryNorm + norm - 2 * score, 0)
        }
    }

    /// Calls `hit(c)` for every reference c of `count` whose ranking value may be at most `limit`.
    ///
    /// The test runs in score space, one subtraction and one comparison per reference: for the Euclidean
    /// metrics v = ‖q‖² + ‖r‖² − 2s ≤ L ⇔ s − ‖r‖²/2 ≥ (‖q‖² − L)/2 (`halfNorms` holds ‖r‖²/2); the cosine
    /// ranks v/2; the dot product −s. `slack` widens the test by the Gram form's rounding, so that a pair whose
    /// exact value (recomputed for close pairs) is below the limit is never skipped.
    @inline(__always)
    static func scan(
        _ scores: UnsafePointer<Float>, _ halfNorms: UnsafePointer<Float>, _ count: Int, _ queryNorm: Float,
        _ metric: KNNMetric, _ limit: Float, slack: Float, hit: (Int) -> Void
    ) {
        typealias Lanes = SIMD16<Float>
        let bound: Float
        switch metric {
        case .dot: bound = -limit
        case .cosine: bound = (queryNorm - 2 * limit - slack) / 2
        case .euclidean, .squaredEuclidean: bound = (queryNorm - limit - slack) / 2
        }
        if bound == -.infinity {
            for c in 0..<count { hit(c) }
            return
        }
        let bounds = Lanes(repeating: bound)
        var c = 0
        if metric == .dot {
            while c + 16 <= count {
                let hits = UnsafeRawPointer(scores + c).loadUnaligned(as: Lanes.self) .>= bounds
                if any(hits) { for lane in 0..<16 where hits[lane] { hit(c + lane) } }
                c += 16
            }
        } else {
            while c + 16 <= count {
                let t =
                    UnsafeRawPointer(scores + c).loadUnaligned(as: Lanes.self)
                    - UnsafeRawPointer(halfNorms + c).loadUnaligned(as: Lanes.self)
                let hits = t .>= bounds
                if any(hits) { for lane in 0..<16 where hits[lane] { hit(c + lane) } }
                c += 16
            }
        }
        while c < count {
            if (metric == .dot ? scores[c] : scores[c] - halfNorms[c]) >= bound { hit(c) }
            c += 1
        }
    }

    /// The ranking value of a close pair, from the difference of the rows.
    @inline(__always)
    static func exactRankValue(_ q: UnsafePointer<Float>, _ r: UnsafePointer<Float>, _ width: Int, _ metric: KNNMetric)
        -> Float
    {
        var squared: Float = 0
        for i in 0..<width {
            let d = q[i] - r[i]
            squared += d * d
        }
        return metric == .cosine ? squared / 2 : squared
    }

    /// The ranking value stored in the upper half of a key.
    @inline(__always)
    static func rankValue(ofKey key: UInt64) -> Float { SortKey.decode(UInt32(truncatingIfNeeded: key >> 32)) }

    /// Sorts the k smallest keys to the front (quickselect, then a sort of those k).
    static func selectSmallest(_ keys: inout [UInt64], count: Int, k: Int) {
        keys.withUnsafeMutableBufferPointer { buffer in
            var lo = 0, hi = count - 1
            while lo < hi {
                let pivot = buffer[(lo + hi) / 2]
                var i = lo, j = hi
                while i <= j {
                    while buffer[i] < pivot { i += 1 }
                    while buffer[j] > pivot { j -= 1 }
                    if i <= j {
                        buffer.swapAt(i, j)
                        i += 1
                        j -= 1
                    }
                }
                if k - 1 <= j { hi = j } else if k - 1 >= i { lo = i } else { break }
            }
            var head = UnsafeMutableBufferPointer(rebasing: buffer[0..<k])
            head.sort()
        }
    }

    static func squaredNorm(_ p: UnsafePointer<Float>, _ width: Int) -> Float { VectorMath.dot(p, p, width) }

    static func squaredNorms(_ t: Tensor) -> [Float] {
        t.scalars.withUnsafeBufferPointer { p in
            (0..<t.rowCount).map { squaredNorm(p.baseAddress! + $0 * t.rowWidth, t.rowWidth) }
        }
    }

    static func normalized(_ t: Tensor) -> Tensor {
        var out = t
        let width = t.rowWidth
        out.scalars.withUnsafeMutableBufferPointer { p in
            for i in 0..<t.rowCount {
                let norm = max(squaredNorm(p.baseAddress! + i * width, width).squareRoot(), 1e-12)
                for j in 0..<width { p[i * width + j] /= norm }
            }
        }
        return out
    }
}
