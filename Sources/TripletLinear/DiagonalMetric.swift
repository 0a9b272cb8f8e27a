/// A weighted Euclidean metric d_w(x, y)² = Σᵢ wᵢ (xᵢ − yᵢ)², w ≥ 0, as `RelativeComparisons` learns it,
/// with the certificate of its optimality.
public struct DiagonalMetric: Sendable {
    /// w, one nonnegative weight per feature.
    public var weights: [Double]
    /// The primal objective ½‖w‖² + C Σ max(0, 1 − (d_w(a, n)² − d_w(a, p)²)) at `weights`.
    public var objective: Double
    /// The dual objective at the solver's multipliers: a lower bound of the optimal objective.
    /// (The best bound seen is kept with the best objective.)
    public var dualObjective: Double
    /// Iterations the solver made.
    public var iterations: Int
    /// Comparisons with a positive slack (not satisfied with margin 1).
    public var violatedCount: Int

    /// `objective − dualObjective` ≥ 0: the objective is within this of the optimum.
    public var dualityGap: Double { objective - dualObjective }
}
