import TripletCore

/// Principal component analysis of the rows of a matrix: the mean, and the leading eigenvectors of the
/// covariance (`SymmetricEigen`), onto which rows are projected — the report's 2-D embedding map.
///
/// ```swift
/// let pca = try PrincipalComponents(fitting: embeddings, count: 2)
/// let xy = pca.project(embeddings)   // [[pc1, pc2]] per row
/// ```
public struct PrincipalComponents: Sendable {
    /// The mean row.
    public let mean: [Double]
    /// The principal axes (unit vectors), largest variance first.
    public let axes: [[Double]]
    /// The variance along each axis.
    public let variances: [Double]
    /// The total variance (the covariance's trace), for the explained fraction of each axis.
    public let totalVariance: Double

    /// Fits `count` components to the rows of `data` ([N, D], N ≥ 2, 1 ≤ count ≤ D).
    /// - Throws: `TripletError` for an empty, non-finite or single-row matrix, or `count` out of range.
    public init(fitting data: Tensor, count: Int = 2) throws {
        try data.validateEmbeddings("the data")
        let n = data.rowCount, d = data.rowWidth
        guard n >= 2 else {
            throw TripletError.invalidParameter(name: "rows", value: "\(n)", expected: "at least 2 for a covariance")
        }
        guard (1...d).contains(count) else {
            throw TripletError.invalidParameter(name: "count", value: "\(count)", expected: "1...\(d)")
        }
        var mean = [Double](repeating: 0, count: d)
        for i in 0..<n { for j in 0..<d { mean[j] += Double(data.scalars[i * d + j]) } }
        mean = mean.map { $0 / Double(n) }
        var covariance = [Double](repeating: 0, count: d * d)
        var centered = [Double](repeating: 0, count: d)
        for i in 0..<n {
            for j in 0..<d { centered[j] = Double(data.scalars[i * d + j]) - mean[j] }
            for j in 0..<d where centered[j] != 0 {
                for k in j..<d { covariance[j * d + k] += centered[j] * centered[k] }
            }
        }
        for j in 0..<d {
            for k in j..<d {
                covariance[j * d + k] /= Double(n - 1)
                covariance[k * d + j] = covariance[j * d + k]
            }
        }
        let eigen = try SymmetricEigen(matrix: covariance, size: d)
        self.mean = mean
        axes = Array(eigen.vectors.prefix(count))
        variances = eigen.values.prefix(count).map { max($0, 0) }
        totalVariance = (0..<d).reduce(0) { $0 + covariance[$1 * d + $1] }
    }

    /// The fraction of the total variance along each axis (0 when the data do not vary).
    public var explainedFractions: [Double] {
        variances.map { totalVariance > 0 ? $0 / totalVariance : 0 }
    }

    /// The coordinates of each row of `data` ([N, D] with the fitted D) on the axes.
    /// - Throws: `TripletError.shapeMismatch` for another width.
    public func project(_ data: Tensor) throws -> [[Double]] {
        let d = mean.count
        guard data.shape.count == 2, data.rowWidth == d else {
            throw TripletError.shapeMismatch(expected: "[N, \(d)]", got: data.shape)
        }
        return (0..<data.rowCount).map { i in
            axes.map { axis in
                var sum = 0.0
                for j in 0..<d { sum += (Double(data.scalars[i * d + j]) - mean[j]) * axis[j] }
                return sum
            }
        }
    }
}
