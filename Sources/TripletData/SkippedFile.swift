/// A file that a loader skipped, and why.
public struct SkippedFile: Sendable, Equatable {
    /// The file's path relative to the folder that was loaded.
    public var path: String
    /// Why it could not be used.
    public var reason: String

    /// A skipped file at `path` (relative), with the `reason`.
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
}
