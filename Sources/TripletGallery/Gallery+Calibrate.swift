import GRDB
import TripletEvaluation

extension Gallery {
    /// Picks the threshold from the ROC of labelled pairs (`distances[i]` in the gallery's metric,
    /// `isSame[i]` true for a genuine pair): the largest threshold whose false accept rate is at most
    /// `targetFAR`. Stores it with the FAR and TAR it achieved, and returns them.
    @discardableResult
    public func calibrate(distances: [Float], isSame: [Bool], targetFAR: Double) throws -> GalleryCalibration {
        guard targetFAR >= 0, targetFAR <= 1 else {
            throw GalleryError.invalidParameter(name: "targetFAR", value: "\(targetFAR)", expected: "0...1")
        }
        let roc = try VerificationMetrics.roc(scores: distances.map(Double.init), isSame: isSame, kind: .distance)
        var best = 0
        for i in roc.thresholds.indices where roc.falseAcceptRates[i] <= targetFAR { best = i }
        let result = GalleryCalibration(
            threshold: roc.thresholds[best], falseAcceptRate: roc.falseAcceptRates[best],
            trueAcceptRate: roc.trueAcceptRates[best])
        try setCalibration(result)
        return result
    }

    /// Stores a threshold (and the rates it achieved, when known) without a ROC.
    public func setCalibration(_ calibration: GalleryCalibration) throws {
        try writeLock.withLock {
            try write { db in
                try GallerySchema.writeMeta(db, "threshold", "\(calibration.threshold)")
                try GallerySchema.writeMeta(db, "far", "\(calibration.falseAcceptRate)")
                try GallerySchema.writeMeta(db, "tar", "\(calibration.trueAcceptRate)")
            }
            lock.withLock { storedCalibration = calibration }
        }
    }
}
