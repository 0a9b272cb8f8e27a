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
            queries: queries, references: try KNNReferences(references, metric: metric), k: k,
            excludeSelf: excludeSelf, threads: threads)
    }

    /// `search` over references prepared once (`KNNReferences`), in their metric: for a store searched
    /// again and again, so that no call re-checks or re-norms the stored rows.
    public static func search(
        queries: Tensor, references: KNNReferences, k: Int, excludeSelf: Bool = false,
        threads: Int = Parallel.defaultThreads
    ) throws -> NearestNeighbors {
        try search(
            queries: queries, references: references, k: k, excludeSelf: excludeSelf, threads: threads,
            queryBlock: 512, referenceBlock: 1024, partRows: 16_384)
    }

    /// `search` with explicit block sizes (queries and references per GEMM) and the fewest references
    /// per part when references are split across threads.
    static func search(
        queries: Tensor, references: KNNReferences, k: Int, excludeSelf: Bool, threads: Int,
        queryBlock: Int, referenceBlock: Int, partRows: Int
    ) throws -> NearestNeighbors {
        try queries.validateEmbeddings("queries")
        guard queries.rowWidth == references.width else {
            throw TripletError.shapeMismatch(
                expected: "queries of the references' width \(references.width)", got: queries.shape)
        }
        if excludeSelf && queries.rowCount != references.count {
            throw TripletError.invalidParameter(
                name: "excludeSelf", value: "true", expected: "queries that are the references (same row count)")
        }
        let available = references.count - (excludeSelf ? 1 : 0)
        guard k >= 1, k <= available else {
            throw TripletError.invalidParameter(name: "k", value: "\(k)", expected: "1...\(max(available, 1))")
        }
        let metric = references.metric
        let q = metric == .cosine ? RowNormalization.forward(queries).y : queries
        let nq = q.rowCount, nr = references.count
        // Fewer query blocks than threads (a single query, say): the references are split among the idle
        // threads, each part keeping its own k best per query, merged at the end.
        let queryBlocks = (nq + queryBlock - 1) / queryBlock
        let parts = max(1, min(threads / queryBlocks, nr / partRows))
        // Per part and query: its k best keys (distance key << 32 | reference index), sorted once full.
        var best = [UInt64](repeating: .max, count: parts * nq * k)
        q.scalars.withUnsafeBufferPointer { qp in
            best.withUnsafeMutableBufferPointer { bp in
                let qBase = qp.baseAddress!, top = bp.baseAddress!
                Parallel.forEachChunk(queryBlocks * parts, threads: threads) { mine in
                    var scanner = BlockScanner(
                        references: references, k: k, excludeSelf: excludeSelf,
                        scores: min(queryBlock, nq) * min(referenceBlock, nr))
                    for item in mine {
                        let (block, part) = item.quotientAndRemainder(dividingBy: parts)
                        let qStart = block * queryBlock
                        scanner.scan(
                            queries: qBase, range: qStart..<min(qStart + queryBlock, nq),
                            references: (part * nr / parts)..<((part + 1) * nr / parts),
                            referenceBlock: referenceBlock, best: top + part * nq * k)
                    }
                }
            }
        }
        if parts > 1 { best = merge(best, parts: parts, queries: nq, k: k) }
        let indices = best.map { Int32(truncatingIfNeeded: $0 & 0xFFFF_FFFF) }
        let distances = best.map { key -> Float in
            let v = rankValue(ofKey: key)
            return metric == .euclidean ? v.squareRoot() : v
        }
        return NearestNeighbors(k: k, indices: indices, distances: distances)
    }

    /// The k smallest keys of each query over the parts' lists (`[parts, queries, k]`), `[queries, k]`.
    static func merge(_ lists: [UInt64], parts: Int, queries: Int, k: Int) -> [UInt64] {
        var merged = [UInt64](repeating: .max, count: queries * k)
        var candidates = [UInt64]()
        candidates.reserveCapacity(parts * k)
        for q in 0..<queries {
            candidates.removeAll(keepingCapacity: true)
            for part in 0..<parts { candidates += lists[(part * queries + q) * k..<(part * queries + q + 1) * k] }
            candidates.sort()
            merged.replaceSubrange(q * k..<(q + 1) * k, with: candidates[0..<k])
        }
        return merged
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
    /// The test runs in score space, a multiply-subtract and one comparison per reference: for the Euclidean
    /// metrics v = ‖q‖² + ‖r‖² − 2s ≤ L ⇔ 2s − ‖r‖² ≥ ‖q‖² − L (`norms` holds ‖r‖²); the cosine ranks v/2;
    /// the dot product −s. `slack` widens the test by the Gram form's rounding, so that a pair whose
    /// exact value (recomputed for close pairs) is below the limit is never skipped.
    @inline(__always)
    static func scan(
        _ scores: UnsafePointer<Float>, _ norms: UnsafePointer<Float>, _ count: Int, _ queryNorm: Float,
        _ metric: KNNMetric, _ limit: Float, slack: Float, hit: (Int) -> Void
    ) {
        typealias Lanes = SIMD16<Float>
        let bound: Float
        switch metric {
        case .dot: bound = -limit
        case .cosine: bound = queryNorm - 2 * limit - slack
        case .euclidean, .squaredEuclidean: bound = queryNorm - limit - slack
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
                    2 * UnsafeRawPointer(scores + c).loadUnaligned(as: Lanes.self)
                    - UnsafeRawPointer(norms + c).loadUnaligned(as: Lanes.self)
                let hits = t .>= bounds
                if any(hits) { for lane in 0..<16 where hits[lane] { hit(c + lane) } }
                c += 16
            }
        }
        while c < count {
            if (metric == .dot ? scores[c] : 2 * scores[c] - norms[c]) >= bound { hit(c) }
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

    /// Sorts the k smallest of the first `count` keys to the front (quickselect, then a sort of those k).
    static func selectSmallest(_ buffer: UnsafeMutableBufferPointer<UInt64>, count: Int, k: Int) {
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
