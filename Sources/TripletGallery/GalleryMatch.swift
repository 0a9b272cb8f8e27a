/// A candidate identity for a query, with its distance (in the gallery's metric).
public struct GalleryMatch: Sendable, Hashable {
    /// The identity.
    public let identity: GalleryIdentity
    /// The distance of the query to the identity's nearest template.
    public let distance: Float
}

/// The answer of `identify`: the nearest identities, best first, and whether the best is too far.
public struct GalleryIdentification: Sendable, Hashable {
    /// Up to k identities, nearest first.
    public let matches: [GalleryMatch]
    /// True when the gallery is empty or the best distance is over the calibrated threshold.
    public let isUnknown: Bool
    /// The best match when it is within the threshold, nil for "unknown".
    public var accepted: GalleryMatch? { isUnknown ? nil : matches.first }
}

/// The answer of `verify`: accepted or not, and the distance that decided it.
public struct GalleryVerification: Sendable, Hashable {
    /// True when the distance is at most the threshold.
    public let accepted: Bool
    /// The distance of the query to the identity's nearest template.
    public let distance: Float
}
