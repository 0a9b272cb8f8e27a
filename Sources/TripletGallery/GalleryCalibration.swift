/// A threshold picked on labelled pairs, with the rates it achieved on them.
public struct GalleryCalibration: Sendable, Hashable, Codable {
    /// Distances at or below it are accepted.
    public let threshold: Double
    /// The false accept rate it achieved on the calibration pairs.
    public let falseAcceptRate: Double
    /// The true accept rate it achieved on the calibration pairs.
    public let trueAcceptRate: Double

    /// Makes a calibration from its parts.
    public init(threshold: Double, falseAcceptRate: Double, trueAcceptRate: Double) {
        self.threshold = threshold
        self.falseAcceptRate = falseAcceptRate
        self.trueAcceptRate = trueAcceptRate
    }
}
