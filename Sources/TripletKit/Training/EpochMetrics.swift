/// What one training epoch measured; `metrics.json` holds one per epoch.
public struct EpochMetrics: Codable, Equatable, Sendable {
    /// The epoch, from 1.
    public var epoch: Int
    /// The mean loss over the epoch's batches.
    public var loss: Double
    /// The mean fraction of mined triplets (or pairs) with a loss above zero.
    public var activeFraction: Double
    /// Precision@1 on the evaluation set (queries = references, self excluded); nil without one.
    public var precisionAtOne: Double?
    /// MAP@R on the evaluation set; nil without one.
    public var mapAtR: Double?
    /// The share of held-out triplets ordered correctly (explicit-triplet training); nil otherwise.
    public var tripletAccuracy: Double?
    /// Seconds spent training (evaluation excluded).
    public var seconds: Double
    /// Training images per second.
    public var imagesPerSecond: Double

    /// metrics.json's keys (`JSONFiles` writes them in snake_case): epoch, loss, active_fraction, p_at_1,
    /// map_at_r, triplet_accuracy, seconds, images_per_s.
    enum CodingKeys: String, CodingKey {
        case epoch, loss, seconds, activeFraction, mapAtR, tripletAccuracy
        case precisionAtOne = "pAt1"
        case imagesPerSecond = "imagesPerS"
    }
}
