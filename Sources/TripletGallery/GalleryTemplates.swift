/// What the search compares a query with for each identity.
public enum GalleryTemplates: String, Sendable, Hashable, Codable, CaseIterable {
    /// Every stored embedding; an identity's distance is that of its nearest sample.
    case allSamples
    /// One template per identity: the mean of its embeddings, scaled back to unit length.
    case normalizedMean
}
