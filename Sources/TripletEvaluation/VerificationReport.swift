/// The true accept rate at one false accept rate target.
public struct TARAtFAR: Sendable, Hashable, Codable {
    /// The FAR target.
    public let falseAcceptRate: Double
    /// The highest TAR among ROC points whose FAR is at most the target.
    public let trueAcceptRate: Double
}

/// Face-verification metrics of scored pairs.
public struct VerificationReport: Sendable, Hashable {
    /// The ROC over every distinct threshold.
    public let roc: ROCCurve
    /// Area under the ROC.
    public let areaUnderCurve: Double
    /// Equal error rate (interpolated).
    public let equalErrorRate: Double
    /// TAR at each FAR target asked, in that order.
    public let tarAtFAR: [TARAtFAR]
    /// The best accuracy of any single threshold on all the pairs (optimistic: chosen on the test pairs).
    public let bestAccuracy: Double
    /// Its threshold (the strictest of equally good ones), in the scores' units.
    public let bestThreshold: Double
    /// k-fold accuracy (LFW protocol), when asked for.
    public let folds: FoldAccuracy?

    /// TAR at `far` when that target was asked for.
    public func trueAcceptRate(atFalseAcceptRate far: Double) -> Double? {
        tarAtFAR.first { $0.falseAcceptRate == far }?.trueAcceptRate
    }
}
