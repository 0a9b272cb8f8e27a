import TripletCore

/// The contrastive loss (Hadsell et al. 2006) with pytorch-metric-learning's semantics: positive pairs
/// (ordered, i ≠ j, same label) cost relu(d − posMargin), negative pairs (different labels)
/// relu(negMargin − d); for a similarity, relu(posMargin − s) and relu(s − negMargin). Each part is
/// reduced by `reducer` on its own (PML's MultipleReducers) and the two are summed. An empty part is 0.
///
/// ```swift
/// let out = try ContrastiveLoss(positiveMargin: 0, negativeMargin: 1)(embeddings, labels: labels)
/// ```
public struct ContrastiveLoss: EmbeddingLoss {
    /// Positive pairs closer than this cost nothing (PML default 0 for distances).
    public var positiveMargin: Float
    /// Negative pairs farther than this cost nothing (PML default 1 for distances).
    public var negativeMargin: Float
    /// How embeddings are compared.
    public var distance: Distance
    /// Which pairs count; `nil` for all.
    public var miner: (any PairMiner)?
    /// How each part's pair losses are combined.
    public var reducer: Reducer
    /// Threads for the row-parallel parts.
    public var threads: Int
    /// B×B buffers reused from one call to the next (shared by copies of this loss).
    private let scratch = ScratchPool()

    /// A loss with PML's defaults.
    public init(
        positiveMargin: Float = 0, negativeMargin: Float = 1, distance: Distance = .euclidean(),
        miner: (any PairMiner)? = nil, reducer: Reducer = .meanNonZero, threads: Int = Parallel.defaultThreads
    ) {
        self.positiveMargin = positiveMargin
        self.negativeMargin = negativeMargin
        self.distance = distance
        self.miner = miner
        self.reducer = reducer
        self.threads = threads
    }

    /// Evaluates the loss on a [B, D] batch with one label per row.
    public func callAsFunction(_ embeddings: Tensor, labels: [Int]) throws -> LossOutput {
        try BatchValidation.check(embeddings, labels: labels)
        guard positiveMargin.isFinite, negativeMargin.isFinite else {
            throw TripletError.invalidParameter(
                name: "margins", value: "\(positiveMargin), \(negativeMargin)", expected: "finite numbers")
        }
        let d = try DistanceMatrix(embeddings: embeddings, distance: distance, threads: threads, scratch: scratch)
        defer { d.recycle() }
        let n = d.count
        // In dissimilarity form both parts read relu(d' − pm) and relu(nm − d').
        let pm = distance.isSimilarity ? -positiveMargin : positiveMargin
        let nm = distance.isSimilarity ? -negativeMargin : negativeMargin
        var gradient = PairGradient.dense(like: d)
        var parts = [Part](repeating: Part(), count: 2 * n)  // per row: positives, negatives
        let pairs = miner?.minePairs(d, labels: labels)
        d.dissimilarities.withUnsafeBufferPointer { dp in
            gradient.dense.withUnsafeMutableBufferPointer { gp in
                parts.withUnsafeMutableBufferPointer { out in
                    let dp = dp.baseAddress!, g = gp.baseAddress!
                    func visit(_ i: Int, _ j: Int, positive: Bool, into part: inout Part) {
                        let v = dp[i * n + j]
                        let loss = positive ? v - pm : nm - v
                        part.count += 1
                        guard loss > 0 else { return }
                        part.active += 1
                        part.loss += Double(loss)
                        g[i * n + j] = positive ? 1 : -1
                    }
                    if let pairs {
                        for pair in pairs.positives { visit(pair.first, pair.second, positive: true, into: &out[0]) }
                        for pair in pairs.negatives { visit(pair.first, pair.second, positive: false, into: &out[1]) }
                        return
                    }
                    Parallel.forEachChunk(n, threads: threads) { rows in
                        for i in rows {
                            for j in 0..<n where j != i {
                                let positive = labels[i] == labels[j]
                                visit(i, j, positive: positive, into: &out[2 * i + (positive ? 0 : 1)])
                            }
                        }
                    }
                }
            }
        }
        var positive = Part(), negative = Part()
        for i in 0..<n {
            positive.add(parts[2 * i])
            negative.add(parts[2 * i + 1])
        }
        let stats = d.labelStats(
            labels, candidates: positive.count + negative.count, active: positive.active + negative.active)
        let pScale = reducer.divisor(candidates: positive.count, active: positive.active).map { 1 / $0 } ?? 0
        let nScale = reducer.divisor(candidates: negative.count, active: negative.active).map { 1 / $0 } ?? 0
        guard pScale > 0 || nScale > 0 else { return .zero(like: embeddings, stats: stats) }
        // Scale each part's unit entries by its own reducer; positives hold +1, negatives −1.
        for k in gradient.dense.indices where gradient.dense[k] != 0 {
            gradient.dense[k] *= Float(gradient.dense[k] > 0 ? pScale : nScale)
        }
        return LossOutput(
            value: Float(positive.loss * pScale + negative.loss * nScale),
            gradient: d.backward(consume gradient, scale: 1), stats: stats)
    }

    private struct Part {
        var loss = 0.0
        var count = 0
        var active = 0
        mutating func add(_ other: Part) {
            loss += other.loss
            count += other.count
            active += other.active
        }
    }
}
