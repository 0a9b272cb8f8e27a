import TripletCore

/// The embedding x ↦ Px [out, D] that a linear learner's model folder holds, made from what it learned.
///
/// ```swift
/// let p = try LinearProjection.diagonal(metric.weights)               // [D, D], Euclidean
/// let l = try LinearProjection.psdFactor(of: oasis.weights, dimension: d)  // [rank, D], dot product
/// ```
public enum LinearProjection {
    /// Schultz & Joachims: P = diag(√w), so ‖Px − Py‖² = Σᵢ wᵢ (xᵢ − yᵢ)² exactly.
    public static func diagonal(_ weights: [Double]) throws -> Tensor {
        let d = weights.count
        var p = [Float](repeating: 0, count: d * d)
        for i in 0..<d { p[i * d + i] = Float(max(weights[i], 0).squareRoot()) }
        return try Tensor(shape: [d, d], scalars: p)
    }

    /// OASIS: xᵀWy is not symmetric in x and y, and no embedding reproduces it with a symmetric score. The
    /// model keeps its symmetric part Wₛ = (W + Wᵀ)/2 — the average of xᵀWy and yᵀWx — projected onto the
    /// positive semidefinite cone: with Wₛ = Σ λₖ vₖvₖᵀ, P has the rows √λₖ vₖᵀ for λₖ > 0 (largest first),
    /// so (Px)·(Py) = xᵀ Wₛ₊ y. Throws when Wₛ has no positive eigenvalue.
    public static func psdFactor(of w: [Float], dimension d: Int) throws -> Tensor {
        var symmetric = [Double](repeating: 0, count: d * d)
        for i in 0..<d {
            for j in 0..<d { symmetric[i * d + j] = 0.5 * (Double(w[i * d + j]) + Double(w[j * d + i])) }
        }
        let eigen = try SymmetricEigen(matrix: symmetric, size: d)
        let largest = eigen.values.first ?? 0
        let kept = eigen.values.indices.filter { eigen.values[$0] > 1e-9 * max(largest, 0) && eigen.values[$0] > 0 }
        guard !kept.isEmpty else {
            throw TripletError.invalidParameter(
                name: "OASIS similarity", value: "(W + Wᵀ)/2 without a positive eigenvalue",
                expected: "a similarity with a positive part to embed (try a smaller C or other comparisons)")
        }
        let scalars = kept.flatMap { k in eigen.vectors[k].map { Float($0 * eigen.values[k].squareRoot()) } }
        return try Tensor(shape: [kept.count, d], scalars: scalars)
    }
}
