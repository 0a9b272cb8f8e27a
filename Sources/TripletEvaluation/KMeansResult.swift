import TripletCore

/// A k-means clustering: the best of its restarts (lowest inertia).
public struct KMeansResult: Sendable, Equatable {
    /// The cluster centres, [clusters, D].
    public let centroids: Tensor
    /// The cluster of each point (its nearest centroid; ties: the lower cluster).
    public let assignments: [Int]
    /// Σ ‖x − centroid(x)‖² over the points.
    public let inertia: Double
    /// Lloyd iterations of the chosen restart.
    public let iterations: Int
    /// Whether the chosen restart converged (no point changed cluster, or the centres moved less than
    /// the tolerance) before `maxIterations`.
    public let converged: Bool
}
