/// What `LinearFit` did, stored in the model's `model.json` under `linear` and printed by the CLI.
public struct LinearFitSummary: Codable, Equatable, Sendable {
    /// The learner.
    public var learner: LinearLearner
    /// Its C (OASIS's aggressiveness, or the slack weight of the relative-comparison QP).
    public var c: Double
    /// Comparisons learned from (OASIS: steps).
    public var comparisons: Int
    /// Seed of the comparisons drawn from labels (nil: read from a triplet file).
    public var seed: UInt64?
    /// The learner's own objective: OASIS's mean hinge over its steps, the QP's objective, or the full
    /// variant's mean hinge over its last pass.
    public var objective: Double
    /// OASIS: steps that moved W; relative comparisons: comparisons satisfied with margin 1 (full variant: 0).
    public var active: Int
    /// OASIS: violated steps skipped for a zero-norm update; relative comparisons: the QP's duality gap
    /// (full variant: 0).
    public var detail: Double
    /// The width of the embeddings: the rank of OASIS's PSD factor or of L, or the feature width.
    public var dimension: Int
    /// Seconds spent learning (not reading data or writing files).
    public var seconds: Double
}
