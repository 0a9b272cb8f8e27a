/// How per-query retrieval scores are averaged into one number.
public enum RetrievalAveraging: String, Sendable, Hashable, Codable, CaseIterable {
    /// The mean over evaluated queries (PML's default).
    case perQuery
    /// The mean over labels of each label's mean over its queries (PML's `avg_of_avgs=True`), so that
    /// large classes do not dominate.
    case perClass
}
