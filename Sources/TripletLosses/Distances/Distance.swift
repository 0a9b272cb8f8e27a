/// How two embeddings are compared: a distance (smaller is closer) or a similarity (larger is closer),
/// optionally on L2-normalised embeddings. The same choices as pytorch-metric-learning's
/// `LpDistance`, `CosineSimilarity` and `DotProductSimilarity`.
///
/// ```swift
/// let d = Distance.euclidean()              // ‖x̂ᵢ − x̂ⱼ‖ on normalised rows (PML's default)
/// let raw = Distance.euclidean(normalized: false)
/// let cos = Distance.cosine                 // ⟨x̂ᵢ, x̂ⱼ⟩
/// ```
public struct Distance: Sendable, Equatable, CustomStringConvertible {
    /// The formula applied to a pair of (possibly normalised) rows.
    public enum Kind: String, Sendable, CaseIterable {
        /// ‖u − v‖₂; its gradient at u = v is 0.
        case euclidean
        /// ‖u − v‖₂².
        case squaredEuclidean
        /// ⟨u, v⟩, a similarity; with normalisation it is the cosine similarity.
        case dotProduct
    }

    /// The formula.
    public var kind: Kind
    /// Whether rows are divided by max(‖x‖₂, 1e-12) first.
    public var normalizesEmbeddings: Bool

    /// A distance of the given kind.
    public init(kind: Kind, normalizesEmbeddings: Bool) {
        self.kind = kind
        self.normalizesEmbeddings = normalizesEmbeddings
    }

    /// Euclidean distance (PML `LpDistance(p=2)`), on normalised rows by default.
    public static func euclidean(normalized: Bool = true) -> Distance {
        Distance(kind: .euclidean, normalizesEmbeddings: normalized)
    }
    /// Squared Euclidean distance (PML `LpDistance(p=2, power=2)`), on normalised rows by default.
    public static func squaredEuclidean(normalized: Bool = true) -> Distance {
        Distance(kind: .squaredEuclidean, normalizesEmbeddings: normalized)
    }
    /// Cosine similarity (PML `CosineSimilarity`).
    public static let cosine = Distance(kind: .dotProduct, normalizesEmbeddings: true)
    /// Dot-product similarity on raw rows by default (PML `DotProductSimilarity(normalize_embeddings=False)`).
    public static func dotProduct(normalized: Bool = false) -> Distance {
        Distance(kind: .dotProduct, normalizesEmbeddings: normalized)
    }

    /// True for similarities, where a larger value means closer.
    public var isSimilarity: Bool { kind == .dotProduct }

    /// A readable form for messages and logs.
    public var description: String {
        switch (kind, normalizesEmbeddings) {
        case (.dotProduct, true): return "cosine"
        case (.dotProduct, false): return "dot"
        case (_, let n): return kind.rawValue + (n ? " (normalized)" : "")
        }
    }
}
