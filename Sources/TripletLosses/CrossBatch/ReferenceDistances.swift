import TripletCore

/// The distances (or similarities) of a batch's anchors to a set of reference rows that carry no gradient —
/// the B×M matrix of cross-batch memory, where the references are stored embeddings of earlier batches.
///
/// Like `DistanceMatrix` it holds dissimilarities d' (d for a distance, −s for a similarity); small
/// products are computed pair by pair, larger ones through one GEMM with the pairs that lose float32
/// accuracy to cancellation recomputed exactly (and differentiated exactly in the backward pass).
struct ReferenceDistances {
    let distance: Distance
    /// B, the anchors.
    let rows: Int
    /// M, the references.
    let columns: Int
    /// d'(anchor a, reference r), row-major B×M.
    private(set) var dissimilarities: [Float]
    /// The anchors (normalised when the distance normalises) and their divisors.
    private let anchors: Tensor
    private let divisors: [Float]
    /// The references (normalised when the distance normalises).
    private let references: Tensor
    let threads: Int
    /// Pairs (a << 32 | r) whose squared distance cancelled, recomputed exactly.
    private var closePairs: [UInt64] = []

    /// Computes the matrix of finite [B, D] anchors against finite [M, D] references.
    init(anchors raw: Tensor, references rawReferences: Tensor, distance: Distance, threads: Int) throws {
        try raw.validateEmbeddings()
        try rawReferences.validateEmbeddings("references")
        let normalize = distance.normalizesEmbeddings
        (anchors, divisors) = normalize ? RowNormalization.forward(raw) : (raw, [])
        references = normalize ? RowNormalization.forward(rawReferences).y : rawReferences
        self.distance = distance
        self.threads = max(1, threads)
        rows = raw.rowCount
        columns = rawReferences.rowCount
        dissimilarities = [Float](repeating: 0, count: rows * columns)
        fill()
    }

    private static func squaredNorms(_ t: Tensor) -> [Float] {
        t.scalars.withUnsafeBufferPointer { p in
            (0..<t.rowCount).map { i in
                VectorMath.dot(p.baseAddress! + i * t.rowWidth, p.baseAddress! + i * t.rowWidth, t.rowWidth)
            }
        }
    }

    private mutating func fill() {
        let b = rows, m = columns, width = anchors.rowWidth, kind = distance.kind
        guard b > 0, m > 0 else { return }
        let anchorNorms = Self.squaredNorms(anchors), referenceNorms = Self.squaredNorms(references)
        let direct = b * m * width <= DistanceMatrix.directLimit, ratio = DistanceMatrix.cancellationRatio
        var closeByRow = [[UInt64]](repeating: [], count: b)
        anchors.scalars.withUnsafeBufferPointer { ap in
            references.scalars.withUnsafeBufferPointer { rp in
                dissimilarities.withUnsafeMutableBufferPointer { out in
                    closeByRow.withUnsafeMutableBufferPointer { closeOut in
                        let x = ap.baseAddress!, y = rp.baseAddress!, o = out.baseAddress!
                        if !direct {
                            BLAS.gemm(
                                transposeA: false, transposeB: true, m: b, n: m, k: width, alpha: 1, a: x,
                                lda: width, b: y, ldb: width, beta: 0, c: o, ldc: m, threads: threads)
                        }
                        Parallel.forEachChunk(b, threads: direct ? 1 : threads) { anchorRows in
                            for a in anchorRows {
                                let row = o + a * m, xa = x + a * width
                                for r in 0..<m {
                                    let yr = y + r * width
                                    if kind == .dotProduct {
                                        row[r] = -(direct ? VectorMath.dot(xa, yr, width) : row[r])
                                        continue
                                    }
                                    let scale = anchorNorms[a] + referenceNorms[r]
                                    var v =
                                        direct ? VectorMath.squaredDistance(xa, yr, width) : max(scale - 2 * row[r], 0)
                                    if v < ratio * scale {
                                        if !direct { v = VectorMath.squaredDistance(xa, yr, width) }
                                        closeOut[a].append(UInt64(a) << 32 | UInt64(r))
                                    }
                                    row[r] = kind == .euclidean ? v.squareRoot() : v
                                }
                            }
                        }
                    }
                }
            }
        }
        closePairs = closeByRow.flatMap { $0 }
    }

    /// The raw distance or similarity of anchor a to reference r.
    func value(_ a: Int, _ r: Int) -> Float {
        distance.isSimilarity ? -dissimilarities[a * columns + r] : dissimilarities[a * columns + r]
    }

    /// dL/d(anchors) from dL/dd' (`gradient`, B×M, overwritten), scaled by `scale`; references get none.
    ///
    /// For distances, with C the coefficients with respect to squared distances:
    /// dL/dxₐ = 2·Σᵣ Cₐᵣ·(xₐ − yᵣ) = 2·(rowsum C)ₐ·xₐ − 2·(C·Y)ₐ; for a similarity, dL/dX = −G·Y.
    func backward(_ gradient: inout [Float], scale: Float) -> Tensor {
        let b = rows, m = columns, width = anchors.rowWidth, kind = distance.kind
        var result = Tensor.zeros([b, width])
        guard b > 0, m > 0 else { return result }
        let sign: Float = distance.isSimilarity ? -scale : scale
        var exact: [(a: Int, r: Int, c: Float)] = []
        gradient.withUnsafeMutableBufferPointer { gp in
            dissimilarities.withUnsafeBufferPointer { dp in
                let g = gp.baseAddress!, d = dp.baseAddress!
                for k in 0..<(b * m) {
                    switch kind {
                    case .dotProduct: g[k] *= sign
                    case .squaredEuclidean: g[k] *= sign
                    case .euclidean: g[k] = d[k] > 0 ? sign * g[k] / (2 * d[k]) : 0
                    }
                }
                for key in closePairs {
                    let a = Int(key >> 32), r = Int(key & 0xFFFF_FFFF)
                    if g[a * m + r] != 0 { exact.append((a, r, g[a * m + r])) }
                    g[a * m + r] = 0
                }
            }
        }
        gradient.withUnsafeBufferPointer { gp in
            anchors.scalars.withUnsafeBufferPointer { xp in
                references.scalars.withUnsafeBufferPointer { yp in
                    result.scalars.withUnsafeMutableBufferPointer { rp in
                        let g = gp.baseAddress!, x = xp.baseAddress!, y = yp.baseAddress!, out = rp.baseAddress!
                        let distanceKind = kind != .dotProduct
                        BLAS.gemm(
                            transposeA: false, transposeB: false, m: b, n: width, k: m,
                            alpha: distanceKind ? -2 : 1, a: g, lda: m, b: y, ldb: width, beta: 0, c: out,
                            ldc: width, threads: threads)
                        if distanceKind {
                            for a in 0..<b {
                                VectorMath.axpy(2 * VectorMath.sum(g + a * m, m), x + a * width, out + a * width, width)
                            }
                        }
                        for e in exact {
                            for k in 0..<width {
                                out[e.a * width + k] += 2 * e.c * (x[e.a * width + k] - y[e.r * width + k])
                            }
                        }
                    }
                }
            }
        }
        if distance.normalizesEmbeddings {
            RowNormalization.backward(gradient: &result, normalized: anchors, divisors: divisors)
        }
        return result
    }
}
