import Foundation

/// One enrolled person (or class): its database id, unique name, enrolment date, free metadata and
/// how many embeddings it has.
public struct GalleryIdentity: Sendable, Hashable, Codable {
    /// The row id in the identities table.
    public let id: Int64
    /// The unique name.
    public var name: String
    /// When it was enrolled.
    public let created: Date
    /// Caller-defined key/value pairs, stored as JSON.
    public var metadata: [String: String]
    /// The number of stored embeddings.
    public var sampleCount: Int
}
