import Foundation
import TripletCore

/// The multiple-negatives ranking loss of sentence-transformers (InfoNCE with in-batch negatives):
/// for anchor/positive pairs (aᵢ, pᵢ), Sᵢⱼ = scale · s(aᵢ, pⱼ) and
/// L = meanᵢ [ logsumexpⱼ Sᵢⱼ − Sᵢᵢ ]: every other pair's positive is a negative, whatever its label.
///
/// The batch interleaves the pairs: rows 2i and 2i + 1 are anchor and positive i.
///
/// ```swift
/// let out = try MultipleNegativesRankingLoss(scale: 20)(pairsInterleaved)
/// ```
public struct MultipleNegativesRankingLoss: EmbeddingLoss {
    /// The logit scale (sentence-transformers default 20).
    public var scale: Float
    /// The similarity (cosine by default; a distance d is used as −d).
    public var distance: Distance
    /// Threads for the row-parallel parts.
    public var threads: Int
    /// B×B buffers reused from one call to the next (shared by copies of this loss).
    private let scratch = ScratchPool()

    /// A loss with sentence-transformers' defaults.
    public init(scale: Float = 20, distance: Distance = .cosine, threads: Int = Parallel.defaultThreads) {
        self.scale = scale
        self.distance = distance
        self.threads = threads
    }

    /// Labels are checked for count and otherwise ignored, as in sentence-transformers.
    public func callAsFunction(_ embeddings: Tensor, labels: [Int]) throws -> LossOutput {
        try BatchValidation.check(embeddings, labels: labels)
        return try callAsFunction(embeddings)
    }

    /// The loss of a batch whose rows 2i and 2i + 1 are anchor and positive i; with `hardNegatives`, rows 3i,
    /// 3i + 1 and 3i + 2 are anchor, positive and negative i, and every anchor is scored against all the
    /// positives and all the negatives (sentence-transformers' MNRL on (anchor, positive, negative) triplets).
    public func callAsFunction(_ embeddings: Tensor, hardNegatives: Bool = false) throws -> LossOutput {
        try embeddings.validateEmbeddings()
        let group = hardNegatives ? 3 : 2
        guard embeddings.rowCount % group == 0 else {
            throw TripletError.shapeMismatch(
                expected: hardNegatives
                    ? "a multiple of 3 rows (anchor, positive, negative, …)"
                    : "an even number of rows (anchor, positive, anchor, …)",
                got: embeddings.shape)
        }
        try BatchValidation.check("scale", scale, atLeast: 0, exclusive: true)
        let d = try DistanceMatrix(embeddings: embeddings, distance: distance, threads: threads, scratch: scratch)
        defer { d.recycle() }
        let n = d.count, pairs = n / group, s = Double(scale)
        // The candidates of every anchor: all positives, then all hard negatives; anchor i's own is the i-th.
        let candidates = (1..<group).flatMap { offset in (0..<pairs).map { group * $0 + offset } }
        var gradient = PairGradient.dense(like: d)
        var loss = 0.0, positive = 0.0, negative = 0.0
        d.dissimilarities.withUnsafeBufferPointer { dp in
            gradient.dense.withUnsafeMutableBufferPointer { gp in
                let dp = dp.baseAddress!, g = gp.baseAddress!
                for i in 0..<pairs {
                    let row = dp + group * i * n, grow = g + group * i * n
                    // logit Sᵢⱼ = −scale · d'(aᵢ, cⱼ); dL/dd' = −scale · (softmaxᵢⱼ − δᵢⱼ) / pairs, scaled later.
                    var top = -Double.infinity
                    for c in candidates { top = max(top, -s * Double(row[c])) }
                    var sum = 0.0
                    for c in candidates { sum += exp(-s * Double(row[c]) - top) }
                    let logSum = top + log(sum)
                    let own = group * i + 1
                    loss += logSum + s * Double(row[own])
                    for c in candidates {
                        let softmax = exp(-s * Double(row[c]) - logSum)
                        grow[c] = Float(-s * (softmax - (c == own ? 1 : 0)))
                        if c == own { positive += Double(row[c]) } else { negative += Double(row[c]) }
                    }
                }
            }
        }
        let sign = distance.isSimilarity ? -1.0 : 1.0
        let stats = LossStats(
            candidateCount: pairs, activeCount: pairs,
            meanPositiveDistance: sign * positive / Double(pairs),
            meanNegativeDistance: candidates.count > 1
                ? sign * negative / Double(pairs * (candidates.count - 1)) : 0)
        return LossOutput(
            value: Float(loss / Double(pairs)), gradient: d.backward(consume gradient, scale: Float(1 / Double(pairs))),
            stats: stats)
    }
}
