#if canImport(Accelerate)
    import Accelerate
#else
    import COpenBLAS
#endif

/// The primal–dual interior-point iteration behind `RelativeComparisons` (Mehrotra's predictor–corrector),
/// on
///
///     minimise ½‖w‖² + C 1ᵀξ   subject to   Z w + ξ − 1 = s ≥ 0,   ξ ≥ 0,   w ≥ 0,
///
/// with multipliers α (for s), β (for ξ) and μ (for w), all kept positive. Eliminating Δs, Δξ, Δβ, Δμ and
/// Δα from the Newton system leaves (I + diag(μ/w) + Zᵀ diag(1/d) Z) Δw = r, d = ξ/β + s/α.
struct InteriorPoint {
    private let z: ComparisonDifferences
    private let c: Double
    private var w: [Double], mu: [Double]
    private var xi: [Double], beta: [Double], alpha: [Double], s: [Double]
    /// The rows of Z scaled by 1/√d, reused by every iteration (N×D: allocating it anew is costly).
    private var scaled: [Double]

    init(_ z: ComparisonDifferences, c: Double) {
        self.z = z
        self.c = c
        w = [Double](repeating: 1, count: z.dimension)
        mu = w
        xi = [Double](repeating: 1, count: z.count)
        s = xi
        alpha = [Double](repeating: c / 2, count: z.count)
        beta = alpha
        scaled = z.rows
    }

    /// αᵀs + βᵀξ + μᵀw at the current point: the interior-point method's own measure of the duality gap.
    var complementarityGap: Double {
        var sum = 0.0
        for t in 0..<z.count { sum += alpha[t] * s[t] + beta[t] * xi[t] }
        for i in 0..<z.dimension { sum += mu[i] * w[i] }
        return sum
    }

    /// The current point as a metric: w₊ = max(w, 0) with its objective, and the dual objective at α
    /// clipped to [0, C] (a lower bound of the optimum for any such α).
    func certificate() -> DiagonalMetric {
        let weights = w.map { max($0, 0) }
        let margins = product(weights)
        var slack = 0.0, violated = 0
        for m in margins where m < 1 {
            slack += 1 - m
            violated += 1
        }
        let clipped = alpha.map { min(max($0, 0), c) }
        let v = transposedProduct(clipped)
        let dual = clipped.reduce(0, +) - 0.5 * v.reduce(0) { $0 + max($1, 0) * max($1, 0) }
        let objective = 0.5 * weights.reduce(0) { $0 + $1 * $1 } + c * slack
        return DiagonalMetric(
            weights: weights, objective: objective, dualObjective: dual, iterations: 0, violatedCount: violated)
    }

    /// One predictor–corrector step.
    mutating func step() {
        let n = z.count, width = z.dimension
        let zw = product(w), zAlpha = transposedProduct(alpha)
        let rw = (0..<width).map { w[$0] - zAlpha[$0] - mu[$0] }
        let rxi = (0..<n).map { c - alpha[$0] - beta[$0] }
        let rs = (0..<n).map { zw[$0] + xi[$0] - 1 - s[$0] }
        let complementarity = complementarityGap
        let nu = complementarity / Double(2 * n + width)
        let d = (0..<n).map { xi[$0] / beta[$0] + s[$0] / alpha[$0] }
        let system = Cholesky(upper: normalMatrix(d), size: width)
        let residuals = Residuals(rw: rw, rxi: rxi, rs: rs, d: d)

        // Predictor: the affine direction (complementarity to zero).
        let affine = direction(
            system, residuals, cs: (0..<n).map { -alpha[$0] * s[$0] }, cb: (0..<n).map { -beta[$0] * xi[$0] },
            cm: (0..<width).map { -mu[$0] * w[$0] })
        let affineStep = stepLength(affine, fraction: 1)
        var affineGap = 0.0
        for t in 0..<n {
            affineGap += (alpha[t] + affineStep * affine.alpha[t]) * (s[t] + affineStep * affine.s[t])
            affineGap += (beta[t] + affineStep * affine.beta[t]) * (xi[t] + affineStep * affine.xi[t])
        }
        for i in 0..<width { affineGap += (mu[i] + affineStep * affine.mu[i]) * (w[i] + affineStep * affine.w[i]) }
        let sigma = pow3(affineGap / complementarity)
        let target = sigma * nu

        // Corrector: centring towards σν, with the second-order terms of the affine direction.
        let corrected = direction(
            system, residuals,
            cs: (0..<n).map { target - alpha[$0] * s[$0] - affine.alpha[$0] * affine.s[$0] },
            cb: (0..<n).map { target - beta[$0] * xi[$0] - affine.beta[$0] * affine.xi[$0] },
            cm: (0..<width).map { target - mu[$0] * w[$0] - affine.mu[$0] * affine.w[$0] })
        let length = stepLength(corrected, fraction: 0.99)
        for t in 0..<n {
            alpha[t] += length * corrected.alpha[t]
            beta[t] += length * corrected.beta[t]
            xi[t] += length * corrected.xi[t]
            s[t] += length * corrected.s[t]
        }
        for i in 0..<width {
            w[i] += length * corrected.w[i]
            mu[i] += length * corrected.mu[i]
        }
    }

    private func pow3(_ x: Double) -> Double { x * x * x }

    private struct Residuals {
        var rw: [Double], rxi: [Double], rs: [Double], d: [Double]
    }

    private struct Direction {
        var w: [Double], mu: [Double], xi: [Double], beta: [Double], alpha: [Double], s: [Double]
    }

    /// The Newton direction whose complementarity rows ask α∘s, β∘ξ and μ∘w to change by cs, cb and cm.
    private func direction(_ system: Cholesky, _ r: Residuals, cs: [Double], cb: [Double], cm: [Double]) -> Direction {
        let n = z.count, width = z.dimension
        // d Δα = h − Z Δw.
        var h = [Double](repeating: 0, count: n)
        for t in 0..<n { h[t] = cs[t] / alpha[t] - r.rs[t] - (cb[t] - xi[t] * r.rxi[t]) / beta[t] }
        let zh = transposedProduct((0..<n).map { h[$0] / r.d[$0] })
        let dw = system.solve((0..<width).map { -r.rw[$0] + zh[$0] + cm[$0] / w[$0] })
        let zdw = product(dw)
        let da = (0..<n).map { (h[$0] - zdw[$0]) / r.d[$0] }
        let db = (0..<n).map { r.rxi[$0] - da[$0] }
        return Direction(
            w: dw, mu: (0..<width).map { (cm[$0] - mu[$0] * dw[$0]) / w[$0] },
            xi: (0..<n).map { (cb[$0] - xi[$0] * db[$0]) / beta[$0] }, beta: db, alpha: da,
            s: (0..<n).map { (cs[$0] - s[$0] * da[$0]) / alpha[$0] })
    }

    /// The largest step ≤ 1 along `direction` that keeps every variable positive, times `fraction`.
    private func stepLength(_ direction: Direction, fraction: Double) -> Double {
        var largest = 1.0
        func limit(_ values: [Double], _ changes: [Double]) {
            for (value, change) in zip(values, changes) where change < 0 { largest = min(largest, -value / change) }
        }
        limit(w, direction.w)
        limit(mu, direction.mu)
        limit(xi, direction.xi)
        limit(beta, direction.beta)
        limit(alpha, direction.alpha)
        limit(s, direction.s)
        return min(1, fraction * largest)
    }

    /// I + diag(μ/w) + Zᵀ diag(1/d) Z, upper triangle, by `dsyrk` over the rows of Z scaled by 1/√d.
    private mutating func normalMatrix(_ d: [Double]) -> [Double] {
        let n = z.count, width = z.dimension
        z.rows.withUnsafeBufferPointer { rows in
            scaled.withUnsafeMutableBufferPointer { out in
                for t in 0..<n {
                    let factor = 1 / d[t].squareRoot()
                    for i in t * width..<(t + 1) * width { out[i] = rows[i] * factor }
                }
            }
        }
        var matrix = [Double](repeating: 0, count: width * width)
        for i in 0..<width { matrix[i * width + i] = 1 + mu[i] / w[i] }
        cblas_dsyrk(
            CblasRowMajor, CblasUpper, CblasTrans, Int32(width), Int32(n), 1, scaled, Int32(width), 1, &matrix,
            Int32(width))
        return matrix
    }

    /// Z x (one value per comparison).
    private func product(_ x: [Double]) -> [Double] {
        var out = [Double](repeating: 0, count: z.count)
        cblas_dgemv(
            CblasRowMajor, CblasNoTrans, Int32(z.count), Int32(z.dimension), 1, z.rows, Int32(z.dimension), x, 1, 0,
            &out, 1)
        return out
    }

    /// Zᵀ y (one value per feature).
    private func transposedProduct(_ y: [Double]) -> [Double] {
        var out = [Double](repeating: 0, count: z.dimension)
        cblas_dgemv(
            CblasRowMajor, CblasTrans, Int32(z.count), Int32(z.dimension), 1, z.rows, Int32(z.dimension), y, 1, 0,
            &out, 1)
        return out
    }
}
