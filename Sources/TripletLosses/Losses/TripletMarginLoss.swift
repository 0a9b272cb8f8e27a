import TripletCore

/// The triplet margin loss over mined triplets, with pytorch-metric-learning's semantics:
/// lₜ = h(d'(a,p) − d'(a,n) + margin) for each selected triplet, h = relu (or softplus with `smooth`),
/// reduced by `reducer`; d' is the distance (or −similarity).
///
/// Without a miner every valid triplet counts. Selections given as a margin range (no miner,
/// `TripletMarginMiner`) are never listed: the hinge loss streams them in O(B²) memory and
/// O(B² log B) time; the smooth or swapped loss visits them one by one, still in O(B²) memory.
/// When no triplet counts (no positive pair, no negative, or every loss is zero for
/// `.meanNonZero`), the loss is 0 with a zero gradient.
///
/// ```swift
/// let loss = TripletMarginLoss(margin: 0.2, miner: TripletMarginMiner(margin: 0.2, type: .semihard))
/// let out = try loss(embeddings, labels: labels)   // out.value, out.gradient [B, D], out.stats
/// ```
public struct TripletMarginLoss: EmbeddingLoss {
    /// The margin added to d'(a,p) − d'(a,n).
    public var margin: Float
    /// How embeddings are compared.
    public var distance: Distance
    /// Which triplets count; `nil` for every valid triplet.
    public var miner: (any TripletMiner)?
    /// How per-triplet losses are combined.
    public var reducer: Reducer
    /// softplus instead of relu (the "soft margin").
    public var smooth: Bool
    /// Use min(d'(a,n), d'(p,n)) as the negative distance (Balntas et al. 2016).
    public var swap: Bool
    /// Threads for the row-parallel parts.
    public var threads: Int
    /// B×B buffers reused from one call to the next (shared by copies of this loss).
    private let scratch = ScratchPool()

    /// A loss with PML's defaults: margin 0.05, normalised Euclidean distance, no miner, mean over non-zero.
    public init(
        margin: Float = 0.05, distance: Distance = .euclidean(), miner: (any TripletMiner)? = nil,
        reducer: Reducer = .meanNonZero, smooth: Bool = false, swap: Bool = false,
        threads: Int = Parallel.defaultThreads
    ) {
        self.margin = margin
        self.distance = distance
        self.miner = miner
        self.reducer = reducer
        self.smooth = smooth
        self.swap = swap
        self.threads = threads
    }

    /// Evaluates the loss on a [B, D] batch with one label per row.
    public func callAsFunction(_ embeddings: Tensor, labels: [Int]) throws -> LossOutput {
        try BatchValidation.check(embeddings, labels: labels)
        try BatchValidation.check("margin", margin, atLeast: 0)
        try miner?.validate()
        let matrix = try DistanceMatrix(embeddings: embeddings, distance: distance, threads: threads, scratch: scratch)
        defer { matrix.recycle() }
        let mined = miner?.mine(matrix, labels: labels) ?? .marginRange(.all)
        return Self.reduce(
            TripletKernels.run(
                matrix, labels: labels, mined: mined, term: TripletTerm(margin: margin, smooth: smooth, swap: swap)),
            matrix: matrix, labels: labels, reducer: reducer, like: embeddings)
    }

    /// The reduced loss and gradient of summed triplet terms.
    static func reduce(
        _ sums: consuming TripletSums, matrix: DistanceMatrix, labels: [Int], reducer: Reducer, like embeddings: Tensor
    ) -> LossOutput {
        let stats = matrix.labelStats(labels, candidates: sums.candidates, active: sums.active)
        guard let divisor = reducer.divisor(candidates: sums.candidates, active: sums.active), sums.active > 0 else {
            return .zero(like: embeddings, stats: stats)
        }
        // Move the B×B gradient out, so that the backward pass owns the only reference and works in place.
        var gradient = PairGradient.sparse(count: 0)
        Swift.swap(&gradient, &sums.gradient)
        return LossOutput(
            value: Float(sums.loss / divisor),
            gradient: matrix.backward(consume gradient, scale: Float(1 / divisor)),
            stats: stats)
    }
}
