import TripletCore

/// The points k-means clusters, with the squared norms and the BLAS distance step it needs.
struct KMeansPoints {
    /// Points per GEMM block of the assignment step.
    static let blockRows = 4096

    let scalars: [Float]
    let count: Int
    let width: Int
    let norms: [Float]
    let threads: Int

    init(_ points: Tensor, threads: Int) {
        scalars = points.scalars
        count = points.rowCount
        width = points.rowWidth
        norms = Self.squaredNorms(points.scalars, rows: points.rowCount, width: points.rowWidth)
        self.threads = threads
    }

    static func squaredNorms(_ x: [Float], rows: Int, width: Int) -> [Float] {
        (0..<rows).map { i in (0..<width).reduce(Float(0)) { $0 + x[i * width + $1] * x[i * width + $1] } }
    }

    /// Row `i`.
    func row(_ i: Int) -> ArraySlice<Float> { scalars[i * width..<(i + 1) * width] }

    /// The squared distances of `centers.count / width` centres to every point, [centres × points], by
    /// ‖c‖² + ‖x‖² − 2·c·x with one GEMM (clamped at 0).
    func squaredDistances(from centers: [Float]) -> [Float] {
        let m = centers.count / width
        let centerNorms = Self.squaredNorms(centers, rows: m, width: width)
        var out = [Float](repeating: 0, count: m * count)
        centers.withUnsafeBufferPointer { c in
            scalars.withUnsafeBufferPointer { x in
                out.withUnsafeMutableBufferPointer { o in
                    BLAS.gemm(
                        transposeA: false, transposeB: true, m: m, n: count, k: width, alpha: -2, a: c.baseAddress!,
                        lda: width, b: x.baseAddress!, ldb: width, beta: 0, c: o.baseAddress!, ldc: count,
                        threads: threads)
                    for i in 0..<m {
                        for j in 0..<count { o[i * count + j] = max(o[i * count + j] + centerNorms[i] + norms[j], 0) }
                    }
                }
            }
        }
        return out
    }

    /// The nearest of `k` centres (row-major [k × width]) for every point (ties: the lower centre) and the
    /// squared distance to it, blocks of points through one GEMM each.
    func nearest(centers: [Float], k: Int) -> (labels: [Int], distances: [Float]) {
        let centerNorms = Self.squaredNorms(centers, rows: k, width: width)
        var labels = [Int](repeating: 0, count: count)
        var distances = [Float](repeating: 0, count: count)
        var scores = [Float](repeating: 0, count: min(Self.blockRows, count) * k)
        centers.withUnsafeBufferPointer { c in
            scalars.withUnsafeBufferPointer { x in
                scores.withUnsafeMutableBufferPointer { s in
                    labels.withUnsafeMutableBufferPointer { l in
                        distances.withUnsafeMutableBufferPointer { d in
                            for start in stride(from: 0, to: count, by: Self.blockRows) {
                                let rows = min(Self.blockRows, count - start)
                                BLAS.gemm(
                                    transposeA: false, transposeB: true, m: rows, n: k, k: width, alpha: -2,
                                    a: x.baseAddress! + start * width, lda: width, b: c.baseAddress!, ldb: width,
                                    beta: 0, c: s.baseAddress!, ldc: k, threads: threads)
                                Parallel.forEachChunk(rows, threads: threads) { block in
                                    for row in block {
                                        var best = 0, bestValue = Float.infinity
                                        for j in 0..<k {
                                            let v = s[row * k + j] + centerNorms[j]
                                            if v < bestValue {
                                                bestValue = v
                                                best = j
                                            }
                                        }
                                        l[start + row] = best
                                        d[start + row] = max(bestValue + norms[start + row], 0)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return (labels, distances)
    }

    /// Σ ‖x − c(x)‖² in Double, from the coordinates (not the GEMM form).
    func inertia(centers: [Float], labels: [Int]) -> Double {
        var total = 0.0
        for i in 0..<count {
            let c = labels[i] * width
            for j in 0..<width {
                let d = Double(scalars[i * width + j]) - Double(centers[c + j])
                total += d * d
            }
        }
        return total
    }
}
