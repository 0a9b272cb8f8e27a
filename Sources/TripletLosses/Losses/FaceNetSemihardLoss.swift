import TripletCore

/// The semihard triplet loss of FaceNet (Schroff et al. 2015) with TensorFlow Addons' rule
/// (`tfa.losses.TripletSemiHardLoss`): for every positive pair (a, p), a ≠ p, the negative is the closest
/// one farther than p — min { d(a,n) : d(a,n) > d(a,p) } — or, when none is, the farthest negative;
/// l = max(0, d(a,p) − d(a,n) + margin), averaged over the positive pairs. Pairs whose anchor has no
/// negative are skipped; with none left the loss is 0 with a zero gradient. Embeddings are not
/// normalised (TFA's L2 distance) unless the distance says so. O(B² log B) time, O(B²) memory.
///
/// ```swift
/// let out = try FaceNetSemihardLoss(margin: 1)(embeddings, labels: labels)
/// ```
public struct FaceNetSemihardLoss: EmbeddingLoss {
    /// The margin (TFA default 1).
    public var margin: Float
    /// How embeddings are compared (TFA's "L2": raw Euclidean).
    public var distance: Distance
    /// Threads for the row-parallel parts.
    public var threads: Int
    /// B×B buffers reused from one call to the next (shared by copies of this loss).
    private let scratch = ScratchPool()

    /// A loss with TFA's defaults.
    public init(
        margin: Float = 1, distance: Distance = .euclidean(normalized: false), threads: Int = Parallel.defaultThreads
    ) {
        self.margin = margin
        self.distance = distance
        self.threads = threads
    }

    /// Evaluates the loss on a [B, D] batch with one label per row.
    public func callAsFunction(_ embeddings: Tensor, labels: [Int]) throws -> LossOutput {
        try BatchValidation.check(embeddings, labels: labels)
        try BatchValidation.check("margin", margin, atLeast: 0)
        let d = try DistanceMatrix(embeddings: embeddings, distance: distance, threads: threads, scratch: scratch)
        defer { d.recycle() }
        let n = d.count
        var chosen = [[Triplet]](repeating: [], count: n)
        d.dissimilarities.withUnsafeBufferPointer { dp in
            chosen.withUnsafeMutableBufferPointer { out in
                Parallel.forEachChunk(n, threads: threads) { anchors in
                    var keys = [UInt64](), values = [Float]()
                    for a in anchors {
                        let row = dp.baseAddress! + a * n, label = labels[a]
                        keys.removeAll(keepingCapacity: true)
                        for j in 0..<n where labels[j] != label {
                            keys.append(UInt64(SortKey.encode(row[j])) << 32 | UInt64(j))
                        }
                        guard !keys.isEmpty else { continue }
                        keys.sort()
                        values = keys.map { SortKey.decode(UInt32(truncatingIfNeeded: $0 >> 32)) }
                        var farthest = keys.count - 1  // the lowest index among equal farthest values
                        while farthest > 0 && values[farthest - 1] == values[keys.count - 1] { farthest -= 1 }
                        values.withUnsafeBufferPointer { v in
                            for p in 0..<n where p != a && labels[p] == label {
                                let dap = row[p]
                                let k = Self.firstIndex(v) { $0 > dap }
                                let pick = k < v.count ? k : farthest
                                out[a].append(Triplet(a, p, Int(keys[pick] & 0xFFFF_FFFF)))
                            }
                        }
                    }
                }
            }
        }
        let triplets = chosen.flatMap { $0 }
        let sums = TripletKernels.list(
            d, triplets: triplets, term: TripletTerm(margin: margin, smooth: false, swap: false))
        return TripletMarginLoss.reduce(sums, matrix: d, labels: labels, reducer: .mean, like: embeddings)
    }

    /// The first index whose value satisfies a predicate that is false, then true, along the sorted values.
    @inline(__always)
    private static func firstIndex(_ v: UnsafeBufferPointer<Float>, where predicate: (Float) -> Bool) -> Int {
        var lo = 0, hi = v.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if predicate(v[mid]) { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }
}
