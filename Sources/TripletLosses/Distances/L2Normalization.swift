import TripletCore

/// Row-wise L2 normalisation y = x / max(‖x‖₂, 1e-12) and its backward pass, as `F.normalize`.
enum L2Normalization {
    static let epsilon: Float = 1e-12

    /// Normalised rows and the divisor of each row.
    static func forward(_ x: Tensor) -> (y: Tensor, divisors: [Float]) {
        let rows = x.rowCount, width = x.rowWidth
        var y = x
        var divisors = [Float](repeating: 0, count: rows)
        y.scalars.withUnsafeMutableBufferPointer { out in
            for i in 0..<rows {
                // In Double: squares of rows with entries past 1.8e19 would overflow Float.
                var sum = 0.0
                for k in 0..<width { sum += Double(out[i * width + k]) * Double(out[i * width + k]) }
                let divisor = max(Float(sum.squareRoot()), epsilon)
                divisors[i] = divisor
                let inv = 1 / divisor
                for k in 0..<width { out[i * width + k] *= inv }
            }
        }
        return (y, divisors)
    }

    /// dL/dx from dL/dy (in place): (g − y·⟨y, g⟩) / ‖x‖ where ‖x‖ > eps, g / eps otherwise.
    static func backward(gradient g: inout Tensor, normalized y: Tensor, divisors: [Float]) {
        let rows = g.rowCount, width = g.rowWidth
        g.scalars.withUnsafeMutableBufferPointer { gp in
            y.scalars.withUnsafeBufferPointer { yp in
                for i in 0..<rows {
                    let base = i * width
                    let inv = 1 / divisors[i]
                    if divisors[i] > epsilon {
                        var dot: Float = 0
                        for k in 0..<width { dot += yp[base + k] * gp[base + k] }
                        for k in 0..<width { gp[base + k] = (gp[base + k] - yp[base + k] * dot) * inv }
                    } else {
                        for k in 0..<width { gp[base + k] *= inv }
                    }
                }
            }
        }
    }
}
