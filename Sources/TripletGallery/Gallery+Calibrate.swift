import GRDB
import TripletCore
import TripletEvaluation

extension Gallery {
    /// Picks the threshold from the ROC of labelled pairs (`distances[i]` in the gallery's metric,
    /// `isSame[i]` true for a genuine pair): the largest threshold whose false accept rate is at most
    /// `targetFAR`. Stores it with the FAR and TAR it achieved, and returns them. For 1:1 verification.
    @discardableResult
    public func calibrate(distances: [Float], isSame: [Bool], targetFAR: Double) throws -> GalleryCalibration {
        try Self.checkTarget(targetFAR)
        let roc = try VerificationMetrics.roc(scores: distances.map(Double.init), isSame: isSame, kind: .distance)
        var best = 0
        for i in roc.thresholds.indices where roc.falseAcceptRates[i] <= targetFAR { best = i }
        let result = GalleryCalibration(
            threshold: roc.thresholds[best], falseAcceptRate: roc.falseAcceptRates[best],
            trueAcceptRate: roc.trueAcceptRates[best], basis: .pairs)
        try setCalibration(result)
        return result
    }

    /// Picks the threshold for open-set identification from labelled probes (`[n, dimension]`):
    /// `identities[i]` is the enrolled identity probe i shows, nil when it shows someone never enrolled.
    /// Every probe is identified; the threshold is the largest whose false accept rate — the share of
    /// never-enrolled probes whose best match is within it — is at most `targetFAR`. The true accept rate
    /// is the share of enrolled probes whose best match is the right identity, within the threshold.
    /// Stores both with the threshold and returns them. Needs probes of both kinds; throws
    /// `unknownIdentity` for a name that is not enrolled.
    @discardableResult
    public func calibrate(probes: Tensor, identities: [String?], targetFAR: Double) throws -> GalleryCalibration {
        try Self.checkTarget(targetFAR)
        try validate(probes)
        guard identities.count == probes.rowCount else {
            throw TripletError.invalidParameter(
                name: "identities", value: "\(identities.count) names",
                expected: "one per probe (\(probes.rowCount)), nil for a never-enrolled one")
        }
        for name in Set(identities.compactMap { $0 }) { _ = try identity(named: name) }
        let impostorCount = identities.count { $0 == nil }
        guard impostorCount > 0, impostorCount < identities.count else {
            throw TripletError.invalidParameter(
                name: "probes", value: "\(identities.count - impostorCount) enrolled, \(impostorCount) never enrolled",
                expected: "probes of enrolled identities and of never-enrolled ones")
        }
        // Best matches (none when another process emptied the gallery meanwhile: never accepted).
        let best = try identify(probes, k: 1).map(\.matches.first)
        let impostors = zip(best, identities).compactMap { match, name in
            name == nil ? match.map { Double($0.distance) } ?? .infinity : nil
        }.sorted()
        // Distances of enrolled probes whose best match is their own identity (the others are never right).
        let genuine = zip(best, identities).compactMap { match, name -> Double? in
            guard let name, let match, match.identity.name == name else { return nil }
            return Double(match.distance)
        }
        // At most `allowed` impostors accepted: just below the first one that must be rejected.
        let allowed = Int((targetFAR * Double(impostors.count) * (1 + 1e-12)).rounded(.down))
        let threshold =
            allowed < impostors.count
            ? impostors[allowed].nextDown : max(impostors.last { $0.isFinite } ?? 0, genuine.max() ?? 0)
        let accepted = impostors.count { $0 <= threshold }, matched = genuine.count { $0 <= threshold }
        let result = GalleryCalibration(
            threshold: threshold, falseAcceptRate: Double(accepted) / Double(impostors.count),
            trueAcceptRate: Double(matched) / Double(identities.count - impostorCount), basis: .openSet)
        try setCalibration(result)
        return result
    }

    /// Stores a threshold (and the rates it achieved, when known) without calibrating.
    public func setCalibration(_ calibration: GalleryCalibration) throws {
        try writeLock.withLock {
            try write { db in
                try GallerySchema.writeMeta(db, "threshold", "\(calibration.threshold)")
                try GallerySchema.writeMeta(db, "far", "\(calibration.falseAcceptRate)")
                try GallerySchema.writeMeta(db, "tar", "\(calibration.trueAcceptRate)")
                try GallerySchema.writeMeta(db, "basis", calibration.basis.rawValue)
            } update: { _, stored, _ in
                stored = calibration
            }
        }
    }

    /// Throws unless a target rate is in 0...1.
    static func checkTarget(_ targetFAR: Double) throws {
        guard targetFAR >= 0, targetFAR <= 1 else {
            throw TripletError.invalidParameter(name: "targetFAR", value: "\(targetFAR)", expected: "0...1")
        }
    }
}
