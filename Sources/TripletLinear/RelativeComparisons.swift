import TripletCore

#if canImport(Accelerate)
    import Accelerate
#else
    import COpenBLAS
#endif

/// Schultz & Joachims (NIPS 2003), "Learning a distance metric from relative comparisons", with A = I: a
/// diagonal metric d_w(x, y)² = Σᵢ wᵢ (xᵢ − yᵢ)² learned from comparisons "a is closer to p than to n" by
/// the quadratic programme
///
///     minimise ½‖w‖² + C Σ_t ξ_t   subject to   d_w(a, n)² − d_w(a, p)² ≥ 1 − ξ_t,  ξ_t ≥ 0,  w ≥ 0.
///
/// With z_t = (x_a − x_n)² − (x_a − x_p)² (so the constraint reads wᵀz_t ≥ 1 − ξ_t), its dual is
///
///     maximise Σ_t α_t − ½‖[Zᵀα]₊‖²   subject to   0 ≤ α_t ≤ C,   and   w = [Zᵀα]₊ ,
///
/// (the clamp [·]₊ is the nonnegativity of w). The solver is a primal–dual interior-point method
/// (Mehrotra's predictor–corrector) on the primal variables w, ξ and the multipliers α (margins), β (ξ ≥ 0),
/// μ (w ≥ 0): each iteration reduces the Newton system to the D×D matrix I + diag(μ/w) + Zᵀ diag(1/d) Z
/// (one `dsyrk` over the comparisons, O(N D²), then a Cholesky factorisation), so it is insensitive to the
/// scaling of the features and reaches a tight optimum in a few dozen iterations. After every iteration it
/// evaluates the primal objective at w₊ = max(w, 0) and the dual objective at α clipped to [0, C]; it
/// stops when their gap is at most `tolerance` × objective — a certificate, independent of the method,
/// that the objective is optimal to that relative accuracy.
///
/// ```swift
/// let learner = try RelativeComparisons(c: 1)
/// let metric = try learner.fit(features: x, comparisons: [Comparison(0, 1, 2), Comparison(3, 4, 5)])
/// metric.weights      // w ≥ 0
/// metric.dualityGap   // ≤ 1e-6 × metric.objective
/// ```
public struct RelativeComparisons: Sendable {
    /// C: the weight of the slack.
    public var c: Double
    /// The relative duality gap at which the solver stops.
    public var tolerance: Double
    /// The most interior-point iterations.
    public var maxIterations: Int

    /// A learner; throws `TripletError.invalidParameter` for C not finite and positive, a tolerance not in
    /// (0, 1), or fewer than one iteration.
    public init(c: Double, tolerance: Double = 1e-6, maxIterations: Int = 200) throws {
        guard c.isFinite, c > 0 else {
            throw TripletError.invalidParameter(name: "C", value: "\(c)", expected: "a finite number above 0")
        }
        guard tolerance > 0, tolerance < 1 else {
            throw TripletError.invalidParameter(name: "tolerance", value: "\(tolerance)", expected: "in (0, 1)")
        }
        guard maxIterations >= 1 else {
            throw TripletError.invalidParameter(
                name: "maxIterations", value: "\(maxIterations)", expected: "at least 1")
        }
        (self.c, self.tolerance, self.maxIterations) = (c, tolerance, maxIterations)
    }

    /// The metric of the comparisons among the rows of `features` [N, D].
    /// When no comparison has a feature in which the negative is farther than the positive, w = 0 exactly.
    /// - Throws: `TripletError` for features that are not a finite [N, D] matrix, no comparisons, or an
    ///   index outside the rows.
    public func fit(features: Tensor, comparisons: [Comparison]) throws -> DiagonalMetric {
        let z = try ComparisonDifferences(features: features, comparisons: comparisons)
        guard z.rows.contains(where: { $0 > 0 }) else {
            // No feature separates any negative more than its positive: w = 0, every slack 1, and α = C
            // proves it (Zᵀα ≤ 0), so the answer is exact.
            let objective = c * Double(z.count)
            return DiagonalMetric(
                weights: [Double](repeating: 0, count: z.dimension), objective: objective, dualObjective: objective,
                iterations: 0, violatedCount: z.count)
        }
        var solver = InteriorPoint(z, c: c)
        var best = solver.certificate()
        while best.dualityGap > tolerance * best.objective, best.iterations < maxIterations {
            solver.step()
            // The certificate costs two passes over Z: only once the method's own gap says it may pass.
            guard solver.complementarityGap <= tolerance * best.objective else {
                best.iterations += 1
                continue
            }
            let current = solver.certificate()
            // The lowest objective and the highest dual bound seen so far.
            var next = current.objective <= best.objective ? current : best
            next.dualObjective = max(current.dualObjective, best.dualObjective)
            next.iterations = best.iterations + 1
            best = next
        }
        return best
    }
}
