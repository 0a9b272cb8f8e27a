import TripletCore

/// k-means clustering with scikit-learn's algorithm: greedy k-means++ seeding, Lloyd iterations (the
/// assignment step one GEMM per block of points), `restarts` independent runs from one seeded generator,
/// the lowest inertia kept.
///
/// ```swift
/// let result = try KMeans(clusters: 10, seed: 42).fit(embeddings)
/// let nmi = try ClusteringMetrics.normalizedMutualInformation(labels: labels, clusters: result.assignments)
/// ```
/// A run stops when no point changes cluster, or when the centres move by Σ‖Δc‖² ≤ tolerance × the mean
/// per-feature variance of the points (sklearn's `tol`), or after `maxIterations`. A cluster left empty
/// takes the point farthest from its centre, as in sklearn. The same seed and thread count give the
/// same result; the generator differs from NumPy's, so the clusters are not sklearn's own.
public struct KMeans: Sendable, Hashable {
    /// The number of clusters.
    public var clusters: Int
    /// Independent seedings; the run with the lowest inertia is kept (sklearn's `n_init`).
    public var restarts: Int
    /// The most Lloyd iterations per run.
    public var maxIterations: Int
    /// The convergence tolerance, relative to the mean per-feature variance.
    public var tolerance: Double
    /// The seed of the generator behind every restart.
    public var seed: UInt64

    /// A k-means configuration (sklearn's defaults, `n_init` = 10).
    public init(clusters: Int, restarts: Int = 10, maxIterations: Int = 300, tolerance: Double = 1e-4, seed: UInt64 = 0)
    {
        self.clusters = clusters
        self.restarts = restarts
        self.maxIterations = maxIterations
        self.tolerance = tolerance
        self.seed = seed
    }

    /// Clusters the rows of `points` ([N, D]).
    /// - Throws: `TripletError` for empty or non-finite points, fewer points than clusters, or a
    ///   non-positive cluster count, restart count, iteration count or thread count, or a negative or
    ///   non-finite tolerance.
    public func fit(_ points: Tensor, threads: Int = Parallel.defaultThreads) throws -> KMeansResult {
        try points.validateEmbeddings("points")
        guard clusters >= 1, clusters <= points.rowCount else {
            throw TripletError.invalidParameter(
                name: "clusters", value: "\(clusters)", expected: "1...\(points.rowCount) (the number of points)")
        }
        for (name, value) in [("restarts", restarts), ("maxIterations", maxIterations), ("threads", threads)]
        where value < 1 {
            throw TripletError.invalidParameter(name: name, value: "\(value)", expected: "at least 1")
        }
        guard tolerance.isFinite, tolerance >= 0 else {
            throw TripletError.invalidParameter(
                name: "tolerance", value: "\(tolerance)", expected: "a finite value >= 0")
        }
        let data = KMeansPoints(points, threads: threads)
        let threshold = tolerance * Self.meanVariance(data)
        var generator = SeededGenerator(seed: seed)
        var best: KMeansResult?
        for _ in 0..<restarts {
            let start = KMeansPlusPlus.seed(data, k: clusters, using: &generator).flatMap { data.row($0) }
            let run = try lloyd(data, centers: start, threshold: threshold)
            if best == nil || run.inertia < best!.inertia { best = run }
        }
        return best!
    }

    /// The mean over features of their variance (population).
    static func meanVariance(_ data: KMeansPoints) -> Double {
        var total = 0.0
        for j in 0..<data.width {
            var mean = 0.0
            for i in 0..<data.count { mean += Double(data.scalars[i * data.width + j]) }
            mean /= Double(data.count)
            var sum = 0.0
            for i in 0..<data.count {
                let d = Double(data.scalars[i * data.width + j]) - mean
                sum += d * d
            }
            total += sum / Double(data.count)
        }
        return total / Double(data.width)
    }

    /// One Lloyd run from the given centres.
    func lloyd(_ data: KMeansPoints, centers start: [Float], threshold: Double) throws -> KMeansResult {
        let k = clusters, width = data.width
        var centers = start
        var previous = [Int](repeating: -1, count: data.count)
        var labels = previous
        var iterations = 0, strict = false, converged = false
        while iterations < maxIterations {
            iterations += 1
            let (assigned, distances) = data.nearest(centers: centers, k: k)
            labels = assigned
            var sums = [Double](repeating: 0, count: k * width), counts = [Int](repeating: 0, count: k)
            for i in 0..<data.count {
                counts[labels[i]] += 1
                for j in 0..<width { sums[labels[i] * width + j] += Double(data.scalars[i * width + j]) }
            }
            Self.relocateEmpty(data, labels: labels, distances: distances, sums: &sums, counts: &counts)
            var shift = 0.0
            var next = centers
            for c in 0..<k where counts[c] > 0 {
                for j in 0..<width {
                    next[c * width + j] = Float(sums[c * width + j] / Double(counts[c]))
                    let d = Double(next[c * width + j]) - Double(centers[c * width + j])
                    shift += d * d
                }
            }
            centers = next
            if labels == previous {
                strict = true
                converged = true
                break
            }
            if shift <= threshold {
                converged = true
                break
            }
            previous = labels
        }
        if !strict { labels = data.nearest(centers: centers, k: k).labels }
        return KMeansResult(
            centroids: try Tensor(shape: [k, width], scalars: centers), assignments: labels,
            inertia: data.inertia(centers: centers, labels: labels), iterations: iterations, converged: converged)
    }

    /// sklearn's `_relocate_empty_clusters_dense`: each empty cluster, in order, becomes the next point
    /// farthest from its centre (ties: the lower index), which leaves its old cluster's sums.
    static func relocateEmpty(
        _ data: KMeansPoints, labels: [Int], distances: [Float], sums: inout [Double], counts: inout [Int]
    ) {
        let empty = counts.indices.filter { counts[$0] == 0 }
        guard !empty.isEmpty else { return }
        let width = data.width
        let far = distances.indices.sorted { (distances[$0], $1) > (distances[$1], $0) }.prefix(empty.count)
        for (cluster, point) in zip(empty, far) {
            let old = labels[point]
            for j in 0..<width {
                let x = Double(data.scalars[point * width + j])
                sums[old * width + j] -= x
                sums[cluster * width + j] = x
            }
            counts[old] -= 1
            counts[cluster] = 1
        }
    }
}
