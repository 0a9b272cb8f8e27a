import Foundation
import TripletCore

/// How a relevance level becomes a gain in NDCG.
public enum NDCGGain: String, Sendable, CaseIterable, Codable {
    /// 2^rel − 1 (Burges et al. 2005, the usual choice in learning to rank): a level counts twice the one below.
    case exponential
    /// rel itself (scikit-learn's `ndcg_score`).
    case linear

    /// The gain of a level.
    func value(_ level: Int) -> Double {
        switch self {
        case .exponential: return pow(2, Double(level)) - 1
        case .linear: return Double(level)
        }
    }
}

/// Retrieval scores under graded relevance (levels 0 = not relevant up to a top level), each row a query
/// against all the other rows (itself excluded), ranked by exact k-NN (`ExactKNN`, ties: lower index first).
///
/// - NDCG@k = DCG@k / IDCG@k with DCG@k = Σᵢ₌₁ᵏ gain(relᵢ) / log₂(i + 1) over the k nearest references and
///   IDCG@k the same sum over the references sorted by decreasing relevance; averaged over the queries with
///   IDCG@k > 0 (a query with no relevant reference is left out).
/// - Graded MAP = the mean, over the thresholds t = 1…top level, of the binary MAP at threshold t: for each
///   query with Rₜ > 0 references of level ≥ t, its average precision over the whole ranking
///   (Σ over those references of the precision at their rank, divided by Rₜ), averaged over such queries.
///   With two levels it is the textbook mean average precision; thresholds no query reaches are left out.
public struct GradedRetrievalScores: Sendable, Hashable, Codable {
    /// NDCG@k.
    public let ndcgAtK: Double
    /// The k of NDCG@k.
    public let k: Int
    /// The gain NDCG used.
    public let gain: NDCGGain
    /// The mean of `mapPerThreshold` over the thresholds some query reaches.
    public let gradedMAP: Double
    /// The binary MAP at each threshold t = 1…top level (0 where no query has a reference of level ≥ t).
    public let mapPerThreshold: [Double]
    /// The queries NDCG averages over (those with a relevant reference).
    public let queryCount: Int
}

/// NDCG@k and graded MAP of embeddings (see `GradedRetrievalScores`).
///
/// ```swift
/// // Fine labels and a coarse group per class: relevance 2 = same class, 1 = same group, 0 = other.
/// let s = try GradedRetrieval.compute(embeddings: e, fineLabels: y, coarseGroups: [0: 0, 2: 0, 1: 1], k: 10)
/// print(s.ndcgAtK, s.gradedMAP)
/// // Any relevance: a function of (query, reference) with levels 0...topLevel.
/// let t = try GradedRetrieval.compute(embeddings: e, topLevel: 3, k: 10) { q, r in level[q][r] }
/// ```
public enum GradedRetrieval {
    /// Scores with relevance from hierarchical labels: 2 where the fine labels are equal, 1 where their
    /// coarse groups are, 0 otherwise.
    /// - Throws: `TripletError` for the errors of `compute(embeddings:topLevel:…)`, a label count that
    ///   differs from the rows, or a label without a group.
    public static func compute(
        embeddings: Tensor, fineLabels: [Int], coarseGroups: [Int: Int], k: Int = 10, gain: NDCGGain = .exponential,
        metric: KNNMetric = .euclidean, threads: Int = Parallel.defaultThreads
    ) throws -> GradedRetrievalScores {
        guard fineLabels.count == embeddings.shape.first else {
            throw TripletError.labelCountMismatch(embeddings: embeddings.shape.first ?? 0, labels: fineLabels.count)
        }
        let groups = try fineLabels.map { label in
            guard let group = coarseGroups[label] else {
                throw TripletError.invalidParameter(
                    name: "coarseGroups", value: "without class \(label)", expected: "a coarse group for every class")
            }
            return group
        }
        return try compute(embeddings: embeddings, topLevel: 2, k: k, gain: gain, metric: metric, threads: threads) {
            fineLabels[$0] == fineLabels[$1] ? 2 : groups[$0] == groups[$1] ? 1 : 0
        }
    }

    /// Scores with relevance given by `relevance(query, reference)`, a level in 0...`topLevel`.
    /// - Throws: `TripletError` for empty or non-finite embeddings, fewer than two rows, a `topLevel` below 1,
    ///   k outside 1...(rows − 1), threads below 1, or a relevance level outside 0...`topLevel`.
    public static func compute(
        embeddings: Tensor, topLevel: Int, k: Int = 10, gain: NDCGGain = .exponential, metric: KNNMetric = .euclidean,
        threads: Int = Parallel.defaultThreads, relevance: (Int, Int) -> Int
    ) throws -> GradedRetrievalScores {
        try embeddings.validateEmbeddings()
        let n = embeddings.rowCount
        guard n >= 2 else {
            throw TripletError.invalidParameter(name: "embeddings", value: "\(n) row", expected: "at least 2 rows")
        }
        guard topLevel >= 1 else {
            throw TripletError.invalidParameter(name: "topLevel", value: "\(topLevel)", expected: "at least 1")
        }
        guard k >= 1, k <= n - 1 else {
            throw TripletError.invalidParameter(name: "k", value: "\(k)", expected: "1...\(n - 1) (the rows but self)")
        }
        guard threads >= 1 else {
            throw TripletError.invalidParameter(name: "threads", value: "\(threads)", expected: "at least 1")
        }
        let discounts = (0..<k).map { 1 / log2(Double($0 + 2)) }
        var ndcgSum = 0.0, ndcgQueries = 0
        var apSums = [Double](repeating: 0, count: topLevel), apQueries = [Int](repeating: 0, count: topLevel)
        var levels = [Int](repeating: 0, count: n - 1)
        var counts = [Int](repeating: 0, count: topLevel + 1)
        try NeighborBlocks.forEach(
            queries: embeddings, references: embeddings, k: n - 1, metric: metric, excludeSelf: true, threads: threads
        ) { rows, indices in
            for (row, q) in rows.enumerated() {
                for i in counts.indices { counts[i] = 0 }
                for i in 0..<(n - 1) {
                    let r = Int(indices[row * (n - 1) + i]), level = relevance(q, r)
                    guard level >= 0, level <= topLevel else {
                        throw TripletError.invalidParameter(
                            name: "relevance(\(q), \(r))", value: "\(level)", expected: "a level in 0...\(topLevel)")
                    }
                    levels[i] = level
                    counts[level] += 1
                }
                // NDCG@k: the ideal ranking takes the levels from the top down.
                var dcg = 0.0, ideal = 0.0, position = 0
                for i in 0..<k { dcg += gain.value(levels[i]) * discounts[i] }
                for level in stride(from: topLevel, through: 1, by: -1) {
                    for _ in 0..<counts[level] where position < k {
                        ideal += gain.value(level) * discounts[position]
                        position += 1
                    }
                }
                if ideal > 0 {
                    ndcgSum += dcg / ideal
                    ndcgQueries += 1
                }
                // Average precision at each threshold over the whole ranking.
                var atLeast = 0
                for t in stride(from: topLevel, through: 1, by: -1) {
                    atLeast += counts[t]
                    guard atLeast > 0 else { continue }
                    var hits = 0, sum = 0.0
                    for i in 0..<(n - 1) where levels[i] >= t {
                        hits += 1
                        sum += Double(hits) / Double(i + 1)
                    }
                    apSums[t - 1] += sum / Double(atLeast)
                    apQueries[t - 1] += 1
                }
            }
        }
        let maps = (0..<topLevel).map { apQueries[$0] > 0 ? apSums[$0] / Double(apQueries[$0]) : 0 }
        let reached = (0..<topLevel).filter { apQueries[$0] > 0 }
        return GradedRetrievalScores(
            ndcgAtK: ndcgQueries > 0 ? ndcgSum / Double(ndcgQueries) : 0, k: k, gain: gain,
            gradedMAP: reached.isEmpty ? 0 : reached.reduce(0) { $0 + maps[$1] } / Double(reached.count),
            mapPerThreshold: maps, queryCount: ndcgQueries)
    }
}
