import TripletCore

/// The constraint vectors of relative comparisons under a diagonal metric: for "a is closer to p than to
/// n", z = (x_a − x_n)² − (x_a − x_p)² elementwise, so that d_w(a, n)² − d_w(a, p)² = wᵀz. Stored as one
/// dense row-major [comparisons, D] Double matrix, the learner's only view of the data.
struct ComparisonDifferences {
    /// Comparisons (rows).
    let count: Int
    /// D (columns).
    let dimension: Int
    /// Row t holds z_t.
    let rows: [Double]
    /// ‖z_t‖² of each row.
    let squaredNorms: [Double]

    init(features: Tensor, comparisons: [Comparison]) throws {
        let width = try LinearFeatures.dimension(of: features)
        try Comparison.validate(comparisons, sampleCount: features.rowCount)
        var rows = [Double](repeating: 0, count: comparisons.count * width)
        var norms = [Double](repeating: 0, count: comparisons.count)
        features.scalars.withUnsafeBufferPointer { x in
            rows.withUnsafeMutableBufferPointer { z in
                for (t, c) in comparisons.enumerated() {
                    let a = c.anchor * width, p = c.positive * width, n = c.negative * width
                    var norm = 0.0
                    for i in 0..<width {
                        let far = Double(x[a + i]) - Double(x[n + i]), near = Double(x[a + i]) - Double(x[p + i])
                        let value = far * far - near * near
                        z[t * width + i] = value
                        norm += value * value
                    }
                    norms[t] = norm
                }
            }
        }
        (count, dimension, self.rows, squaredNorms) = (comparisons.count, width, rows, norms)
    }
}
