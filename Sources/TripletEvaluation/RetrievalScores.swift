/// Recall@K: the fraction of evaluated queries with at least one same-label reference among their K
/// nearest neighbours (the standard retrieval Recall@K of metric-learning papers; PML has no metric of
/// that name). Recall@1 equals precision@1.
public struct RecallAtK: Sendable, Hashable, Codable {
    /// The number of neighbours looked at.
    public let k: Int
    /// The fraction of queries with a hit among them, in [0, 1].
    public let recall: Double
}

/// Retrieval accuracy with pytorch-metric-learning's `AccuracyCalculator` semantics.
///
/// Every metric is averaged over the evaluated queries: a query whose label no reference shares (apart
/// from itself, when the queries are the references) is left out, as PML does. With R the number of
/// references sharing a query's label (less the query itself) and k the number of neighbours ranked:
/// - precision@1: whether the nearest reference shares the label;
/// - R-precision: same-label references among the first min(R, k), divided by min(R, k);
/// - MAP@R: Σᵢ P(i)·rel(i) over the first min(R, k) neighbours, divided by R (P(i): precision at i);
/// - mean average precision: Σᵢ P(i)·rel(i) over all k neighbours, divided by R;
/// - mean reciprocal rank: 1 / rank of the first same-label neighbour among the k, 0 when there is none;
/// - Recall@K: see `RecallAtK`, for each K asked (K may exceed k).
public struct RetrievalScores: Sendable, Hashable, Codable {
    /// Precision@1.
    public let precisionAtOne: Double
    /// R-precision.
    public let rPrecision: Double
    /// Mean average precision at R (MAP@R, Musgrave et al. 2020).
    public let mapAtR: Double
    /// PML's `mean_average_precision` at k (divided by R, not by the hits).
    public let meanAveragePrecision: Double
    /// Mean reciprocal rank within the k neighbours.
    public let meanReciprocalRank: Double
    /// Recall@K for each K asked, in the order asked.
    public let recallAtK: [RecallAtK]
    /// The number of neighbours ranked for the PML metrics (the resolved `RetrievalK`).
    public let k: Int
    /// The number of queries evaluated.
    public let queryCount: Int
    /// The number of queries left out because no reference shares their label.
    public let excludedQueryCount: Int

    /// The keys of its JSON form, PML's `AccuracyCalculator` names where it has one (in snake_case, as
    /// `JSONFiles` writes them): precision_at_1, r_precision, mean_average_precision_at_r,
    /// mean_average_precision, mean_reciprocal_rank, recall_at_k, k, query_count, excluded_query_count.
    enum CodingKeys: String, CodingKey {
        case precisionAtOne = "precisionAt1"
        case mapAtR = "meanAveragePrecisionAtR"
        case rPrecision, meanAveragePrecision, meanReciprocalRank, recallAtK, k, queryCount, excludedQueryCount
    }

    /// Recall@`k` when it was asked for.
    public func recall(at k: Int) -> Double? { recallAtK.first { $0.k == k }?.recall }
}
