/// Row-wise L2 normalisation y = x / max(‖x‖₂, ε), ε = 1e-12, as PyTorch's `F.normalize(x, dim: 1)`, and
/// its backward pass: one copy for the normalising layer, the distances' `normalize` option and the
/// cosine k-NN.
package enum RowNormalization {
    /// The floor on a row's norm.
    package static let epsilon: Float = 1e-12

    /// Divides each of the `rows` rows at `p` (row-major, `width` wide) by max(‖row‖, ε), in place, and
    /// returns those divisors. Squares are summed in Double: rows with entries past 1.8e19 stay finite.
    package static func normalize(_ p: UnsafeMutablePointer<Float>, rows: Int, width: Int) -> [Float] {
        var divisors = [Float](repeating: 0, count: rows)
        for i in 0..<rows {
            let row = p + i * width
            var sum = 0.0
            for k in 0..<width { sum += Double(row[k]) * Double(row[k]) }
            let divisor = max(Float(sum.squareRoot()), epsilon)
            divisors[i] = divisor
            for k in 0..<width { row[k] /= divisor }
        }
        return divisors
    }

    /// The normalised rows of a matrix and the divisor of each row.
    package static func forward(_ x: Tensor) -> (y: Tensor, divisors: [Float]) {
        var y = x
        let divisors = y.scalars.withUnsafeMutableBufferPointer { p in
            p.isEmpty ? [] : normalize(p.baseAddress!, rows: x.rowCount, width: x.rowWidth)
        }
        return (y, divisors)
    }

    /// dL/dx from dL/dy, in place: (g − y·⟨y, g⟩) / ‖x‖ where ‖x‖ > ε, g / ε where the norm was clamped.
    package static func backward(gradient g: inout Tensor, normalized y: Tensor, divisors: [Float]) {
        let rows = g.rowCount, width = g.rowWidth
        g.scalars.withUnsafeMutableBufferPointer { gp in
            y.scalars.withUnsafeBufferPointer { yp in
                for i in 0..<rows {
                    let base = i * width, divisor = divisors[i]
                    if divisor > epsilon {
                        var dot: Float = 0
                        for k in 0..<width { dot += yp[base + k] * gp[base + k] }
                        for k in 0..<width { gp[base + k] = (gp[base + k] - yp[base + k] * dot) / divisor }
                    } else {
                        for k in 0..<width { gp[base + k] /= divisor }
                    }
                }
            }
        }
    }
}
