import TripletCore
import TripletEvaluation

/// The verification part of the report, from TripletEvaluation: every same-class pair of the subsample
/// and as many seeded random different-class pairs (`VerificationPairs.make`), their Euclidean distances,
/// and the ROC over every threshold (`VerificationMetrics.roc`).
struct ReportVerification {
    /// Distances of the same-class pairs.
    let positives: [Double]
    /// Distances of the different-class pairs.
    let negatives: [Double]
    /// The ROC: a pair is accepted as the same class when its distance is at most the threshold.
    let roc: ROCCurve
    /// The distance threshold at the equal error rate (interpolated between the curve's points).
    let eerThreshold: Double

    /// The pairs of `embeddings` ([N, D]) labelled `labels`, drawn with `seed`; nil when no two rows share
    /// a label or every row has the same label (no ROC without both kinds of pair).
    init?(embeddings: Tensor, labels: [Int], seed: UInt64) throws {
        let sizes = Dictionary(labels.map { ($0, 1) }, uniquingKeysWith: +)
        guard sizes.count >= 2, sizes.values.contains(where: { $0 >= 2 }) else { return nil }
        let pairs = try VerificationPairs.make(labels: labels, seed: seed)
        let distances = try pairs.distances(embeddings, metric: .euclidean)
        positives = zip(distances, pairs.isSame).filter(\.1).map(\.0)
        negatives = zip(distances, pairs.isSame).filter { !$0.1 }.map(\.0)
        roc = try VerificationMetrics.roc(scores: distances, isSame: pairs.isSame, kind: .distance)
        eerThreshold = Self.equalErrorThreshold(of: roc)
    }

    /// The threshold where the curve, interpolated as `ROCCurve.equalErrorRate` does, crosses FAR = FRR.
    static func equalErrorThreshold(of roc: ROCCurve) -> Double {
        let gap = zip(roc.falseAcceptRates, roc.trueAcceptRates).map { 1 - $1 - $0 }
        guard let i = gap.firstIndex(where: { $0 <= 0 }), i > 0 else { return roc.thresholds.last ?? 0 }
        let t = gap[i - 1] == gap[i] ? 0 : gap[i - 1] / (gap[i - 1] - gap[i])
        let (a, b) = (roc.thresholds[i - 1], roc.thresholds[i])
        return a.isFinite ? a + t * (b - a) : b
    }
}
