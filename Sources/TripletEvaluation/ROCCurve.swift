import TripletCore

/// A receiver operating characteristic over every distinct threshold, as scikit-learn's
/// `roc_curve(y, score, drop_intermediate=False)`: point 0 accepts nothing (FAR = TAR = 0), each next
/// point also accepts the pairs at the next distinct score, the last accepts everything (1, 1).
/// Pairs with equal scores enter together, so ties make diagonal segments.
public struct ROCCurve: Sendable, Hashable {
    /// The threshold of each point, strictest first, in the scores' units: a similarity threshold accepts
    /// scores ≥ it (+∞ at point 0), a distance threshold accepts distances ≤ it (−∞ at point 0).
    public let thresholds: [Double]
    /// False accept rate (false positive rate) of each point: accepted different pairs / different pairs.
    public let falseAcceptRates: [Double]
    /// True accept rate (true positive rate) of each point: accepted same pairs / same pairs.
    public let trueAcceptRates: [Double]
    /// Same-identity (genuine) pairs.
    public let genuineCount: Int
    /// Different-identity (impostor) pairs.
    public let impostorCount: Int
    /// Accepted same pairs at each point.
    let truePositives: [Int]
    /// Accepted different pairs at each point.
    let falsePositives: [Int]

    init(_ input: VerificationInput, kind: VerificationScoreKind) {
        let order = input.similarities.indices.sorted { input.similarities[$0] > input.similarities[$1] }
        var thresholds = [kind.threshold(.infinity)], tp = [0], fp = [0]
        var t = 0, f = 0
        for (position, i) in order.enumerated() {
            if input.isSame[i] { t += 1 } else { f += 1 }
            let next = position + 1 < order.count ? input.similarities[order[position + 1]] : -.infinity
            if next != input.similarities[i] {
                thresholds.append(kind.threshold(input.similarities[i]))
                tp.append(t)
                fp.append(f)
            }
        }
        self.thresholds = thresholds
        truePositives = tp
        falsePositives = fp
        genuineCount = input.genuine
        impostorCount = input.impostors
        falseAcceptRates = fp.map { Double($0) / Double(input.impostors) }
        trueAcceptRates = tp.map { Double($0) / Double(input.genuine) }
    }

    /// The area under the curve by the trapezoidal rule (`sklearn.metrics.roc_auc_score`): the
    /// probability that a random same pair scores better than a random different pair, ties counting ½.
    public var areaUnderCurve: Double {
        var area = 0.0
        for i in 1..<falseAcceptRates.count {
            area +=
                (falseAcceptRates[i] - falseAcceptRates[i - 1]) * (trueAcceptRates[i] + trueAcceptRates[i - 1]) / 2
        }
        return area
    }

    /// The equal error rate: where the curve, linearly interpolated between its points, crosses
    /// FAR = FRR (= 1 − TAR); the FAR there.
    public var equalErrorRate: Double {
        let gap = zip(falseAcceptRates, trueAcceptRates).map { 1 - $1 - $0 }  // FRR − FAR, from 1 down to −1
        let i = gap.firstIndex { $0 <= 0 }!
        let t = gap[i - 1] / (gap[i - 1] - gap[i])
        return falseAcceptRates[i - 1] + t * (falseAcceptRates[i] - falseAcceptRates[i - 1])
    }

    /// TAR at a FAR target: the highest true accept rate among the curve's points whose FAR is at most
    /// `target` (no interpolation; 0 when only the accept-nothing point qualifies).
    public func trueAcceptRate(atFalseAcceptRate target: Double) -> Double {
        var best = 0.0
        for (far, tar) in zip(falseAcceptRates, trueAcceptRates) where far <= target { best = max(best, tar) }
        return best
    }

    /// The point with the highest accuracy, (accepted same + rejected different) / pairs; the strictest
    /// such point when several tie.
    var bestAccuracyPoint: (index: Int, accuracy: Double) {
        var best = (index: 0, accuracy: -1.0)
        let total = Double(genuineCount + impostorCount)
        for i in thresholds.indices {
            let accuracy = Double(truePositives[i] + impostorCount - falsePositives[i]) / total
            if accuracy > best.accuracy { best = (i, accuracy) }
        }
        return best
    }
}
