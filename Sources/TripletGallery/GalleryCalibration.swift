/// A threshold picked on labelled data, with the rates it achieved there.
public struct GalleryCalibration: Sendable, Hashable, Codable {
    /// What the rates were measured on.
    public enum Basis: String, Sendable, Hashable, Codable {
        /// Same/different pairs (1:1 verification): FAR is the share of different-identity pairs accepted.
        case pairs
        /// Probes identified against the gallery (open-set 1:N): FAR is the share of never-enrolled probes
        /// accepted as someone, TAR the share of enrolled probes accepted as the right identity.
        case openSet = "open-set"
    }

    /// Distances at or below it are accepted.
    public let threshold: Double
    /// The false accept rate it achieved on the calibration data.
    public let falseAcceptRate: Double
    /// The true accept rate it achieved on the calibration data.
    public let trueAcceptRate: Double
    /// What the rates were measured on.
    public let basis: Basis

    /// Makes a calibration from its parts.
    public init(threshold: Double, falseAcceptRate: Double, trueAcceptRate: Double, basis: Basis = .pairs) {
        self.threshold = threshold
        self.falseAcceptRate = falseAcceptRate
        self.trueAcceptRate = trueAcceptRate
        self.basis = basis
    }
}
