/// Solves a small symmetric positive definite system H x = b (row-major n×n, Double) by a Cholesky
/// factorisation, adding a tiny ridge when rounding makes a pivot non-positive.
struct Cholesky {
    private var factor: [Double]
    private let size: Int

    /// Factorises the upper triangle of `matrix` (the lower one is ignored).
    init(upper matrix: [Double], size n: Int) {
        size = n
        let trace = (0..<n).reduce(0.0) { $0 + abs(matrix[$1 * n + $1]) }
        var ridge = 0.0
        var l = [Double](repeating: 0, count: n * n)
        var factored = false
        while !factored {
            factored = true
            for j in 0..<n {
                var diagonal = matrix[j * n + j] + ridge
                for k in 0..<j { diagonal -= l[j * n + k] * l[j * n + k] }
                guard diagonal > 0 else {
                    ridge = max(ridge * 10, 1e-14 * max(trace, 1))
                    factored = false
                    break
                }
                let pivot = diagonal.squareRoot()
                l[j * n + j] = pivot
                for i in j + 1..<n {
                    var sum = matrix[j * n + i]  // H[i, j] = H[j, i] from the upper triangle
                    for k in 0..<j { sum -= l[i * n + k] * l[j * n + k] }
                    l[i * n + j] = sum / pivot
                }
            }
        }
        factor = l
    }

    /// x with H x = b.
    func solve(_ b: [Double]) -> [Double] {
        let n = size
        var y = b
        for i in 0..<n {
            for k in 0..<i { y[i] -= factor[i * n + k] * y[k] }
            y[i] /= factor[i * n + i]
        }
        for i in stride(from: n - 1, through: 0, by: -1) {
            for k in i + 1..<n { y[i] -= factor[k * n + i] * y[k] }
            y[i] /= factor[i * n + i]
        }
        return y
    }
}
