import TripletCore

/// The ladder loss (Zhou et al., "Ladder Loss for Coherent Visual-Semantic Embedding", AAAI 2020):
/// graded relevance, one margin per level, so that a ranking puts the very relevant above the somewhat
/// relevant above the rest.
///
/// Embeddings are L2-normalised (x / max(‖x‖, 1e-12)) and compared by cosine similarity s. With
/// relevance levels 0..L−1 (`RelevanceMatrix`, diagonal ignored), for each anchor i and each level
/// l = 1..L−1, every j ≠ i with relevance[i][j] ≥ l and every k ≠ i with relevance[i][k] < l give the
/// term max(0, margins[l−1] − s(i, j) + s(i, k)). A level's loss is the mean of its non-zero terms
/// (0 when none), and the loss is Σₗ weights[l−1] · level loss. A term at exactly 0 gives no gradient.
///
/// The terms are never listed: each anchor sorts its row once, and each level sweeps the sorted row
/// with prefix sums, so a batch costs O(B² log B + L·B²) time and O(B²) memory.
///
/// ```swift
/// let loss = try LadderLoss(margins: [0.2, 0.1], weights: [1, 0.5])
/// let out = try loss(embeddings, relevance: try RelevanceMatrix([[0, 2, 1], [2, 0, 0], [1, 0, 0]]))
/// print(out.loss.value, out.activeTermsPerLevel)
/// // Labelled P×K batches: fine labels plus a coarse group per fine class (levels 2, 1, 0).
/// let labelled = try LadderLoss(margins: [0.2, 0.1], weights: [1, 1], coarseGroups: [0: 0, 2: 0, 1: 1])
/// let step = try labelled(embeddings, labels: labels)
/// ```
public struct LadderLoss: EmbeddingLoss {
    /// The margin of each level 1..L−1.
    public let margins: [Float]
    /// The weight of each level 1..L−1.
    public let weights: [Float]
    /// The coarse group of each fine class, for `callAsFunction(_:labels:)` (nil: relevance must be given).
    public let coarseGroups: [Int: Int]?
    /// Threads for the row-parallel parts.
    public var threads: Int
    /// B×B buffers reused from one call to the next (shared by copies of this loss).
    private let scratch = ScratchPool()

    /// The number of relevance levels L (one more than the margins).
    public var levels: Int { margins.count + 1 }

    /// A loss with L − 1 = `margins.count` levels above 0.
    /// - Parameters:
    ///   - margins: one finite margin ≥ 0 per level 1..L−1.
    ///   - weights: one finite weight ≥ 0 per level, as many as the margins.
    ///   - coarseGroups: the coarse group of each fine class, so that labelled batches give relevance
    ///     2 / 1 / 0 (then exactly two margins); nil when relevance is always given.
    ///   - threads: threads for the row-parallel parts.
    /// - Throws: `TripletError.invalidParameter` for no margin, counts that differ, or a margin or
    ///   weight that is negative or not finite.
    public init(
        margins: [Float], weights: [Float], coarseGroups: [Int: Int]? = nil, threads: Int = Parallel.defaultThreads
    ) throws {
        guard !margins.isEmpty else {
            throw TripletError.invalidParameter(
                name: "margins", value: "[]", expected: "one margin per relevance level above 0 (L − 1 ≥ 1)")
        }
        guard weights.count == margins.count else {
            throw TripletError.invalidParameter(
                name: "weights", value: "\(weights)", expected: "\(margins.count) weights, one per margin")
        }
        for (l, m) in margins.enumerated() { try BatchValidation.check("margins[\(l)]", m, atLeast: 0) }
        for (l, w) in weights.enumerated() { try BatchValidation.check("weights[\(l)]", w, atLeast: 0) }
        if coarseGroups != nil, margins.count != 2 {
            throw TripletError.invalidParameter(
                name: "margins", value: "\(margins)",
                expected: "2 margins with coarseGroups (levels 2 = same class, 1 = same group, 0 = other)")
        }
        self.margins = margins
        self.weights = weights
        self.coarseGroups = coarseGroups
        self.threads = threads
    }

    /// The loss of a [B, D] batch under a B×B relevance matrix, with its terms counted per level.
    /// - Throws: `TripletError` for empty or non-finite embeddings, a relevance matrix of another size
    ///   than the batch, or an off-diagonal level outside 0..L−1.
    public func callAsFunction(_ embeddings: Tensor, relevance: RelevanceMatrix) throws -> LadderOutput {
        try embeddings.validateEmbeddings()
        let n = embeddings.rowCount
        guard relevance.count == n else {
            throw TripletError.shapeMismatch(
                expected: "a relevance matrix [\(n), \(n)] for a batch of \(n)",
                got: [relevance.count, relevance.count])
        }
        for i in 0..<n {
            for j in 0..<n where j != i {
                let level = relevance.levels[i * n + j]
                guard level >= 0, level < levels else {
                    throw TripletError.invalidParameter(
                        name: "relevance[\(i)][\(j)]", value: "\(level)", expected: "a level in 0...\(levels - 1)")
                }
            }
        }
        let matrix = try DistanceMatrix(embeddings: embeddings, distance: .cosine, threads: threads, scratch: scratch)
        defer { matrix.recycle() }
        return LadderKernel(matrix: matrix, relevance: relevance, margins: margins, weights: weights).run(
            like: embeddings)
    }

    /// The loss of a labelled batch, relevance from `coarseGroups` (2 = same label, 1 = same group, 0 = other).
    /// - Throws: `TripletError.invalidParameter` without `coarseGroups` or when a label has no group, and
    ///   the errors of `callAsFunction(_:relevance:)`.
    public func callAsFunction(_ embeddings: Tensor, labels: [Int]) throws -> LossOutput {
        try BatchValidation.check(embeddings, labels: labels)
        try DistanceMatrix.checkMemory(batch: embeddings.rowCount)
        guard let coarseGroups else {
            throw TripletError.invalidParameter(
                name: "coarseGroups", value: "nil",
                expected: "a coarse group per class to train on labels (or pass a relevance matrix)")
        }
        return try self(embeddings, relevance: try .hierarchical(labels: labels, coarseGroups: coarseGroups)).loss
    }
}

/// What `LadderLoss` returns for a relevance matrix: the loss, and its terms level by level.
public struct LadderOutput: Sendable {
    /// The loss, its gradient, and its statistics: every (anchor, more relevant, less relevant) term
    /// over all levels is a candidate, the non-zero ones are active; the mean "distances" are the mean
    /// cosine similarities of the pairs at the top level L−1 and at level 0.
    public var loss: LossOutput
    /// The non-zero terms of each level 1..L−1.
    public var activeTermsPerLevel: [Int]
    /// All terms of each level 1..L−1.
    public var candidateTermsPerLevel: [Int]
}
