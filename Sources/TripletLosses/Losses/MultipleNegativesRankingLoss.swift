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

    /// The loss of a batch whose rows 2i and 2i + 1 are anchor and positive i.
    public func callAsFunction(_ embeddings: Tensor) throws -> LossOutput {
        try embeddings.validateEmbeddings()
        guard embeddings.rowCount % 2 == 0 else {
            throw TripletError.shapeMismatch(
                expected: "an even number of rows (anchor, positive, anchor, …)", got: embeddings.shape)
        }
        try BatchValidation.check("scale", scale, atLeast: 0, exclusive: true)
        let d = try DistanceMatrix(embeddings: embeddings, distance: distance, threads: threads, scratch: scratch)
        defer { d.recycle() }
        let n = d.count, pairs = n / 2, s = Double(scale)
        var gradient = PairGradient.dense(like: d)
        var loss = 0.0, positive = 0.0, negative = 0.0
        d.dissimilarities.withUnsafeBufferPointer { dp in
            gradient.dense.withUnsafeMutableBufferPointer { gp in
                let dp = dp.baseAddress!, g = gp.baseAddress!
                for i in 0..<pairs {
                    let row = dp + 2 * i * n, grow = g + 2 * i * n
                    // logit Sᵢⱼ = −scale · d'(aᵢ, pⱼ); dL/dd' = −scale · (softmaxᵢⱼ − δᵢⱼ) / pairs, scaled later.
                    var top = -Double.infinity
                    for j in 0..<pairs { top = max(top, -s * Double(row[2 * j + 1])) }
                    var sum = 0.0
                    for j in 0..<pairs { sum += exp(-s * Double(row[2 * j + 1]) - top) }
                    let logSum = top + log(sum)
                    loss += logSum + s * Double(row[2 * i + 1])
                    for j in 0..<pairs {
                        let softmax = exp(-s * Double(row[2 * j + 1]) - logSum)
                        grow[2 * j + 1] = Float(-s * (softmax - (i == j ? 1 : 0)))
                        if i == j { positive += Double(row[2 * j + 1]) } else { negative += Double(row[2 * j + 1]) }
                    }
                }
            }
        }
        let sign = distance.isSimilarity ? -1.0 : 1.0
        let stats = LossStats(
            candidateCount: pairs, activeCount: pairs,
            meanPositiveDistance: sign * positive / Double(pairs),
            meanNegativeDistance: pairs > 1 ? sign * negative / Double(pairs * (pairs - 1)) : 0)
        return LossOutput(
            value: Float(loss / Double(pairs)), gradient: d.backward(consume gradient, scale: Float(1 / Double(pairs))),
            stats: stats)
    }
}
