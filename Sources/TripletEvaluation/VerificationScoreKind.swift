/// What a verification score means: a similarity (a pair is accepted as the same identity when its score
/// is at least the threshold) or a distance (accepted when at most the threshold).
public enum VerificationScoreKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// Larger means more alike (cosine similarity, a classifier's logit).
    case similarity
    /// Smaller means more alike (Euclidean distance, 1 − cosine).
    case distance

    /// The score as a similarity (a distance negated, which is exact).
    func similarity(_ score: Double) -> Double { self == .similarity ? score : -score }

    /// A similarity threshold back in this kind's units.
    func threshold(_ similarity: Double) -> Double { self == .similarity ? similarity : -similarity }
}
