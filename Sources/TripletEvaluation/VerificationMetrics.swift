import TripletCore

/// Face-verification metrics (the LFW / IJB protocol) from scored pairs: a score per pair and whether
/// its two samples share an identity.
///
/// ```swift
/// let pairs = try VerificationPairs.make(labels: labels, seed: 1)
/// let distances = try pairs.distances(embeddings, metric: .euclidean)
/// let report = try VerificationMetrics.evaluate(scores: distances, isSame: pairs.isSame, kind: .distance)
/// print(report.areaUnderCurve, report.equalErrorRate, report.trueAcceptRate(atFalseAcceptRate: 1e-3)!)
/// print(report.folds!.mean, report.folds!.standardDeviation)   // LFW's 10-fold accuracy
/// ```
public enum VerificationMetrics {
    /// The ROC, AUC, EER, TAR at each FAR target, best single-threshold accuracy and (unless `folds` is
    /// nil) k-fold accuracy.
    /// - Throws: `TripletError` for empty or non-finite scores, a flag count that differs from the
    ///   scores, pairs all of one kind, a FAR target outside (0, 1], or fewer than 2 folds or more folds
    ///   than pairs.
    public static func evaluate(
        scores: [Double], isSame: [Bool], kind: VerificationScoreKind = .distance,
        farTargets: [Double] = [1e-1, 1e-2, 1e-3], folds: Int? = 10
    ) throws -> VerificationReport {
        let input = try VerificationInput(scores: scores, isSame: isSame, kind: kind)
        for target in farTargets where !(target > 0 && target <= 1) {
            throw TripletError.invalidParameter(name: "farTargets", value: "\(target)", expected: "each in (0, 1]")
        }
        if let folds { try checkFolds(folds, pairs: scores.count) }
        let roc = ROCCurve(input, kind: kind)
        let best = roc.bestAccuracyPoint
        return VerificationReport(
            roc: roc, areaUnderCurve: roc.areaUnderCurve, equalErrorRate: roc.equalErrorRate,
            tarAtFAR: farTargets.map {
                TARAtFAR(falseAcceptRate: $0, trueAcceptRate: roc.trueAcceptRate(atFalseAcceptRate: $0))
            },
            bestAccuracy: best.accuracy, bestThreshold: roc.thresholds[best.index],
            folds: folds.map { FoldAccuracy(input, kind: kind, folds: $0) })
    }

    /// The ROC over every distinct threshold (`sklearn.metrics.roc_curve` with `drop_intermediate=False`).
    /// - Throws: as `evaluate`.
    public static func roc(scores: [Double], isSame: [Bool], kind: VerificationScoreKind = .distance) throws
        -> ROCCurve
    {
        ROCCurve(try VerificationInput(scores: scores, isSame: isSame, kind: kind), kind: kind)
    }

    /// k-fold threshold-selection accuracy (LFW's 10-fold protocol).
    /// - Throws: as `evaluate`.
    public static func foldAccuracy(
        scores: [Double], isSame: [Bool], kind: VerificationScoreKind = .distance, folds: Int = 10
    ) throws -> FoldAccuracy {
        let input = try VerificationInput(scores: scores, isSame: isSame, kind: kind)
        try checkFolds(folds, pairs: scores.count)
        return FoldAccuracy(input, kind: kind, folds: folds)
    }

    static func checkFolds(_ folds: Int, pairs: Int) throws {
        guard folds >= 2, folds <= pairs else {
            throw TripletError.invalidParameter(
                name: "folds", value: "\(folds)", expected: "2...\(pairs) (at most one fold per pair)")
        }
    }
}
