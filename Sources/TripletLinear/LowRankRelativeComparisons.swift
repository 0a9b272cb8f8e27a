import TripletCore

/// A full (optionally low-rank) variant of Schultz & Joachims's relative-comparison learner: a linear map
/// x ↦ Lx (L of shape [rank, D], starting from the first `rank` rows of the identity) for the metric
/// d_L(x, y)² = ‖L(x − y)‖², trained by minibatch subgradient descent on
///
///     (1 / 2CN) ‖LᵀL‖²_F + (1/N) Σ_t max(0, 1 − (d_L(a, n)² − d_L(a, p)²)),
///
/// the paper's objective (divided by CN) with the diagonal W replaced by M = LᵀL. It is not convex in L and
/// has no optimality certificate; the diagonal `RelativeComparisons` is the exact one. Each step costs a
/// few small GEMMs: with u = x_a − x_n and v = x_a − x_p over the batch's violated comparisons, the
/// gradient is L · ((2 / CN) LᵀL − (2 / B) (UᵀU − VᵀV)).
///
/// ```swift
/// let learner = try LowRankRelativeComparisons(c: 1, rank: 32, epochs: 5, learningRate: 0.1, seed: 0)
/// let fitted = try learner.fit(features: x, comparisons: comparisons)
/// fitted.projection  // [32 × D], row-major
/// ```
public struct LowRankRelativeComparisons: Sendable {
    /// C: the weight of the hinge terms against the regulariser.
    public var c: Double
    /// The rows of L (nil: D).
    public var rank: Int?
    /// Passes over the comparisons.
    public var epochs: Int
    /// The step size.
    public var learningRate: Double
    /// Comparisons per step.
    public var batchSize: Int
    /// Seed of the order of the comparisons in each pass.
    public var seed: UInt64

    /// What a fit learned.
    public struct Fitted: Sendable {
        /// L, row-major [rank, D].
        public var projection: [Float]
        /// Rows of L.
        public var rank: Int
        /// The mean hinge over the last pass (before each step's update).
        public var meanHinge: Double
    }

    /// A learner; throws `TripletError.invalidParameter` for C, the learning rate, the epochs, the batch
    /// size or the rank out of range.
    public init(
        c: Double, rank: Int? = nil, epochs: Int = 5, learningRate: Double = 0.1, batchSize: Int = 1000,
        seed: UInt64 = 0
    ) throws {
        for (name, value) in [("C", c), ("learningRate", learningRate)] where !(value.isFinite && value > 0) {
            throw TripletError.invalidParameter(name: name, value: "\(value)", expected: "a finite number above 0")
        }
        for (name, value) in [("epochs", epochs), ("batchSize", batchSize), ("rank", rank ?? 1)] where value < 1 {
            throw TripletError.invalidParameter(name: name, value: "\(value)", expected: "at least 1")
        }
        (self.c, self.rank, self.epochs, self.learningRate, self.batchSize, self.seed) =
            (c, rank, epochs, learningRate, batchSize, seed)
    }

    /// L for the comparisons among the rows of `features` [N, D].
    /// - Throws: `TripletError` for features that are not a finite [N, D] matrix, no comparisons, an index
    ///   outside the rows, or a rank above D.
    public func fit(features: Tensor, comparisons: [Comparison]) throws -> Fitted {
        let d = try LinearFeatures.dimension(of: features)
        try Comparison.validate(comparisons, sampleCount: features.rowCount)
        let r = rank ?? d
        guard r <= d else { throw TripletError.invalidParameter(name: "rank", value: "\(r)", expected: "at most \(d)") }
        var l = [Float](repeating: 0, count: r * d)
        for i in 0..<r { l[i * d + i] = 1 }
        var step = Step(dimension: d, rank: r, batch: min(batchSize, comparisons.count))
        let regulariser = Float(2 / (c * Double(comparisons.count)))
        var order = Array(comparisons.indices)
        var generator = SeededGenerator(seed: seed)
        var meanHinge = 0.0
        for _ in 0..<epochs {
            order.shuffle(using: &generator)
            var hinge = 0.0
            for start in stride(from: 0, to: order.count, by: step.batch) {
                let batch = order[start..<min(start + step.batch, order.count)].map { comparisons[$0] }
                hinge += step.run(
                    &l, features: features, batch: batch, regulariser: regulariser, learningRate: Float(learningRate))
            }
            meanHinge = hinge / Double(comparisons.count)
        }
        return Fitted(projection: l, rank: r, meanHinge: meanHinge)
    }
}
