import TripletCore

/// The eigen-decomposition of a real symmetric matrix by the cyclic Jacobi method: plane rotations that
/// zero one off-diagonal entry at a time until the off-diagonal part vanishes (exact to rounding; ten
/// sweeps or so for a 64×64 covariance). No LAPACK needed.
///
/// ```swift
/// let e = try SymmetricEigen(matrix: [2, 1, 1, 2], size: 2)
/// e.values    // [3, 1]
/// e.vectors   // [[0.707, 0.707], [-0.707, 0.707]]
/// ```
public struct SymmetricEigen: Sendable {
    /// The eigenvalues, largest first.
    public let values: [Double]
    /// The unit eigenvectors, `vectors[i]` belonging to `values[i]`; each is signed so that its entry of
    /// largest magnitude is positive, which makes the result deterministic.
    public let vectors: [[Double]]

    /// Decomposes the row-major `size`×`size` matrix `matrix`.
    /// - Throws: `TripletError` when the matrix is empty, not `size`×`size`, not finite or not symmetric.
    public init(matrix: [Double], size: Int) throws {
        guard size >= 1, matrix.count == size * size else {
            throw TripletError.shapeMismatch(expected: "a square [\(size), \(size)] matrix", got: [matrix.count])
        }
        if let bad = matrix.firstIndex(where: { !$0.isFinite }) {
            throw TripletError.nonFiniteValue(what: "the matrix", row: bad / size, column: bad % size)
        }
        let scale = matrix.reduce(0) { max($0, abs($1)) }
        for i in 0..<size {
            for j in 0..<i where abs(matrix[i * size + j] - matrix[j * size + i]) > 1e-9 * max(scale, 1) {
                throw TripletError.invalidParameter(
                    name: "matrix", value: "with [\(i), \(j)] ≠ [\(j), \(i)]", expected: "a symmetric matrix")
            }
        }
        var a = matrix
        var v = [Double](repeating: 0, count: size * size)
        for i in 0..<size { v[i * size + i] = 1 }
        Self.diagonalize(&a, &v, size)
        let order = (0..<size).sorted { a[$0 * size + $0] > a[$1 * size + $1] }
        values = order.map { a[$0 * size + $0] }
        vectors = order.map { column in
            let vector = (0..<size).map { v[$0 * size + column] }
            let largest = vector.max { abs($0) < abs($1) } ?? 0
            return largest < 0 ? vector.map { -$0 } : vector
        }
    }

    /// Rotates `a` to diagonal form, accumulating the rotations in the columns of `v`.
    private static func diagonalize(_ a: inout [Double], _ v: inout [Double], _ n: Int) {
        let total = a.reduce(0) { $0 + $1 * $1 }
        for _ in 0..<100 {
            var off = 0.0
            for p in 0..<n { for q in 0..<n where p != q { off += a[p * n + q] * a[p * n + q] } }
            if off <= 1e-30 * total || off == 0 { return }
            for p in 0..<n - 1 {
                for q in p + 1..<n where a[p * n + q] != 0 {
                    let theta = (a[q * n + q] - a[p * n + p]) / (2 * a[p * n + q])
                    let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    for k in 0..<n {
                        let kp = a[k * n + p], kq = a[k * n + q]
                        a[k * n + p] = c * kp - s * kq
                        a[k * n + q] = s * kp + c * kq
                    }
                    for k in 0..<n {
                        let pk = a[p * n + k], qk = a[q * n + k]
                        a[p * n + k] = c * pk - s * qk
                        a[q * n + k] = s * pk + c * qk
                    }
                    for k in 0..<n {
                        let kp = v[k * n + p], kq = v[k * n + q]
                        v[k * n + p] = c * kp - s * kq
                        v[k * n + q] = s * kp + c * kq
                    }
                }
            }
        }
    }
}
