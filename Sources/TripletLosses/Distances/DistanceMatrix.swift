import Foundation
import TripletCore

/// All pairwise distances (or similarities) of a batch, with what the backward pass needs.
///
/// Losses and miners read the *dissimilarity* d' = d for a distance and d' = −s for a similarity,
/// so that "smaller is closer" holds for every `Distance`; `value(i, j)` gives the raw d or s.
///
/// Small batches are computed pair by pair (exact, bit-symmetric, like `torch.cdist` below 25 rows);
/// larger ones through one SYRK (the Gram matrix) with pairs that lose float32 accuracy to
/// cancellation in ‖x‖² + ‖y‖² − 2⟨x, y⟩ recomputed exactly. Those close pairs are remembered, and the
/// backward pass applies their gradient as exact differences xᵢ − xⱼ rather than through the GEMM.
public struct DistanceMatrix: Sendable {
    /// The comparison used.
    public let distance: Distance
    /// The batch size B.
    public let count: Int
    /// d'(i, j) for every pair, row-major B×B.
    public private(set) var dissimilarities: [Float]
    /// The rows the distances were computed on (normalised when the distance normalises).
    let points: Tensor
    /// max(‖xᵢ‖, 1e-12) of the raw rows, when the distance normalises.
    let divisors: [Float]
    let threads: Int
    /// Where B×B buffers come from and go back to.
    let scratch: ScratchPool?
    /// Pairs i < j (packed i << 32 | j) whose squared distance is below `cancellationRatio`·(‖xᵢ‖² + ‖xⱼ‖²).
    private(set) var closePairs: [UInt64] = []

    /// Below this many multiply-adds (B·B·D) every pair is computed directly.
    static let directLimit = 1 << 21
    /// A squared distance below this fraction of ‖x‖² + ‖y‖² is recomputed exactly.
    static let cancellationRatio: Float = 1e-2

    /// Computes the matrix of a [B, D] batch of finite embeddings; B×B buffers come from `scratch` when given.
    public init(
        embeddings: Tensor, distance: Distance, threads: Int = Parallel.defaultThreads, scratch: ScratchPool? = nil
    ) throws {
        try embeddings.validateEmbeddings()
        try Self.checkMemory(batch: embeddings.rowCount)
        let prepared = distance.normalizesEmbeddings ? RowNormalization.forward(embeddings) : (embeddings, [])
        let width = embeddings.rowWidth
        let squaredNorms = prepared.0.scalars.withUnsafeBufferPointer { p in
            (0..<embeddings.rowCount).map { i in
                VectorMath.dot(p.baseAddress! + i * width, p.baseAddress! + i * width, width)
            }
        }
        if let bad = squaredNorms.firstIndex(where: { !($0 < Float.greatestFiniteMagnitude / 4) }) {
            throw TripletError.invalidParameter(
                name: "embedding row \(bad)", value: "with squared norm \(squaredNorms[bad])",
                expected: "rows whose squared norm fits in Float32 (scale the embeddings down)")
        }
        self.distance = distance
        self.threads = max(1, threads)
        count = embeddings.rowCount
        (points, divisors) = prepared
        self.scratch = scratch
        // Both fill paths write every entry.
        dissimilarities = scratch?.take(count * count, zeroed: false) ?? [Float](repeating: 0, count: count * count)
        if count * count * width <= Self.directLimit {
            fillDirect(squaredNorms: squaredNorms)
        } else {
            fillThroughGram(squaredNorms: squaredNorms)
        }
    }

    /// Throws when the B×B matrices of a loss (the distances, the gradient, and their scratch copies) would not
    /// fit in the machine's memory, instead of failing to allocate them.
    static func checkMemory(batch: Int) throws {
        let bytes = Double(batch) * Double(batch) * Double(MemoryLayout<Float>.size) * 3
        let available = Double(ProcessInfo.processInfo.physicalMemory)
        guard bytes < available else {
            let gib = { (x: Double) in String(format: "%.1f GiB", x / 1_073_741_824) }
            throw TripletError.invalidParameter(
                name: "batch size", value: "\(batch) (its B×B matrices need \(gib(bytes)))",
                expected: "a batch whose matrices fit in the \(gib(available)) of this machine: split it")
        }
    }

    /// Hands the matrix's buffer back to its scratch pool; the matrix must not be used afterwards.
    consuming func recycle() {
        scratch?.recycle(dissimilarities)
    }

    /// The raw distance or similarity between rows i and j.
    public func value(_ i: Int, _ j: Int) -> Float {
        distance.isSimilarity ? -dissimilarities[i * count + j] : dissimilarities[i * count + j]
    }

    /// The matrix of raw values (distances, or similarities), row-major B×B.
    public var values: [Float] { distance.isSimilarity ? dissimilarities.map { -$0 } : dissimilarities }

    private mutating func fillDirect(squaredNorms: [Float]) {
        let n = count, width = points.rowWidth, kind = distance.kind, ratio = Self.cancellationRatio
        var close: [UInt64] = []
        points.scalars.withUnsafeBufferPointer { pp in
            dissimilarities.withUnsafeMutableBufferPointer { out in
                let p = pp.baseAddress!
                for i in 0..<n {
                    out[i * n + i] = kind == .dotProduct ? -squaredNorms[i] : 0
                    for j in i + 1..<n {
                        var v: Float
                        if kind == .dotProduct {
                            v = -VectorMath.dot(p + i * width, p + j * width, width)
                        } else {
                            v = VectorMath.squaredDistance(p + i * width, p + j * width, width)
                            if v < ratio * (squaredNorms[i] + squaredNorms[j]) {
                                close.append(UInt64(i) << 32 | UInt64(j))
                            }
                            if kind == .euclidean { v = v.squareRoot() }
                        }
                        out[i * n + j] = v
                        out[j * n + i] = v
                    }
                }
            }
        }
        closePairs = close
    }

    private mutating func fillThroughGram(squaredNorms: [Float]) {
        let n = count, width = points.rowWidth, kind = distance.kind, ratio = Self.cancellationRatio
        var closeByRow = [[UInt64]](repeating: [], count: n)
        points.scalars.withUnsafeBufferPointer { pp in
            squaredNorms.withUnsafeBufferPointer { np in
                dissimilarities.withUnsafeMutableBufferPointer { out in
                    closeByRow.withUnsafeMutableBufferPointer { closeOut in
                        let p = pp.baseAddress!, norms = np.baseAddress!, o = out.baseAddress!
                        BLAS.syrkUpper(n: n, k: width, alpha: 1, a: p, lda: width, c: o, ldc: n, threads: threads)
                        // The upper triangle row by row (contiguous), then one blocked copy to the lower.
                        Parallel.forEachChunk(n, threads: threads) { rows in
                            for i in rows {
                                let row = o + i * n
                                if kind == .dotProduct {
                                    for j in i..<n { row[j] = -row[j] }
                                    continue
                                }
                                let ni = norms[i]
                                for j in i..<n {
                                    let scale = ni + norms[j]
                                    var v = max(scale - 2 * row[j], 0)
                                    if v < ratio * scale {
                                        v = i == j ? 0 : VectorMath.squaredDistance(p + i * width, p + j * width, width)
                                        if i != j { closeOut[i].append(UInt64(i) << 32 | UInt64(j)) }
                                    }
                                    if kind == .euclidean { v = v.squareRoot() }
                                    row[j] = v
                                }
                            }
                        }
                        Tiles.mirrorUpperToLower(o, n, threads: threads)
                    }
                }
            }
        }
        closePairs = closeByRow.flatMap { $0 }
    }

    /// dL/d(embeddings) from dL/dd' (the gradient with respect to `dissimilarities`), scaled by `scale`.
    ///
    /// With G the gradient with respect to squared distances (dL/dd / 2d for the Euclidean distance,
    /// 0 where d = 0) and M = G + Gᵀ: dL/dX = 2·(diag(rowsum M) − M)·X; for a similarity, M·X.
    func backward(_ gradient: consuming PairGradient, scale: Float) -> Tensor {
        let n = count, width = points.rowWidth
        var result = Tensor.zeros([n, width])
        // dL/draw = sign · dL/dd'; the Euclidean chain rule moves to squared distances.
        let sign: Float = distance.isSimilarity ? -scale : scale
        let kind = distance.kind
        @inline(__always) func coefficient(_ g: Float, _ i: Int, _ j: Int, _ d: UnsafePointer<Float>) -> Float {
            switch kind {
            case .dotProduct: return sign * g
            case .squaredEuclidean: return i == j ? 0 : sign * g
            case .euclidean:
                let dist = d[i * n + j]
                return dist > 0 ? sign * g / (2 * dist) : 0
            }
        }
        points.scalars.withUnsafeBufferPointer { pp in
            dissimilarities.withUnsafeBufferPointer { dp in
                result.scalars.withUnsafeMutableBufferPointer { rp in
                    let x = pp.baseAddress!, d = dp.baseAddress!, r = rp.baseAddress!
                    // dL/dxᵢ += 2c·(xᵢ − xⱼ), dL/dxⱼ −= 2c·(xᵢ − xⱼ): a squared-distance coefficient c, exactly.
                    func addDifference(_ c: Float, _ i: Int, _ j: Int) {
                        for k in 0..<width {
                            let diff = 2 * c * (x[i * width + k] - x[j * width + k])
                            r[i * width + k] += diff
                            r[j * width + k] -= diff
                        }
                    }
                    if gradient.isDense {
                        // Take the buffer over (no copy): it becomes M in place.
                        var m: [Float] = []
                        swap(&m, &gradient.dense)
                        defer { scratch?.recycle(m) }
                        var rowSums = [Float](repeating: 0, count: n)
                        m.withUnsafeMutableBufferPointer { mp in
                            rowSums.withUnsafeMutableBufferPointer { sums in
                                denseBackward(mp.baseAddress!, d, x, r, sums.baseAddress!, sign: sign, addDifference)
                            }
                        }
                    } else {
                        for e in gradient.entries {
                            let i = Int(e.i), j = Int(e.j)
                            let c = coefficient(e.value, i, j, d)
                            if c == 0 { continue }
                            if kind == .dotProduct {
                                VectorMath.axpy(c, x + j * width, r + i * width, width)
                                VectorMath.axpy(c, x + i * width, r + j * width, width)
                            } else {
                                addDifference(c, i, j)
                            }
                        }
                    }
                }
            }
        }
        if distance.normalizesEmbeddings {
            RowNormalization.backward(gradient: &result, normalized: points, divisors: divisors)
        }
        return result
    }

    /// dL/dX = α·M·X (+ 2·diag(rowsum M)·X for distances) with M = C + Cᵀ, C the coefficients of the
    /// dense gradient `m` (overwritten); close pairs go through `addDifference` instead of the GEMM.
    private func denseBackward(
        _ m: UnsafeMutablePointer<Float>, _ d: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
        _ r: UnsafeMutablePointer<Float>, _ rowSums: UnsafeMutablePointer<Float>, sign: Float,
        _ addDifference: (Float, Int, Int) -> Void
    ) {
        typealias Lanes = SIMD8<Float>
        let n = count, width = points.rowWidth, kind = distance.kind
        // 1. Coefficients row by row: dL/d(squared distance), or dL/d(similarity).
        Parallel.forEachChunk(n, threads: threads) { rows in
            for i in rows {
                let row = m + i * n, drow = d + i * n
                var j = 0
                if kind == .euclidean {
                    let half = Lanes(repeating: sign / 2)
                    while j + 8 <= n {
                        let dist = UnsafeRawPointer(drow + j).loadUnaligned(as: Lanes.self)
                        let g = UnsafeRawPointer(row + j).loadUnaligned(as: Lanes.self)
                        let c = (half * g / dist).replacing(with: 0, where: dist .<= 0)
                        UnsafeMutableRawPointer(row + j).storeBytes(of: c, as: Lanes.self)
                        j += 8
                    }
                    while j < n {
                        row[j] = drow[j] > 0 ? sign / 2 * row[j] / drow[j] : 0
                        j += 1
                    }
                } else {
                    for k in 0..<n { row[k] *= sign }
                    if kind == .squaredEuclidean { row[i] = 0 }
                }
            }
        }
        // 2. M = C + Cᵀ.
        Tiles.symmetrize(m, n, threads: threads)
        // 3. Close pairs leave the GEMM, whose rowsum·xᵢ − Σ mᵢⱼxⱼ would cancel for them.
        var exact: [(i: Int, j: Int, c: Float)] = []
        exact.reserveCapacity(closePairs.count)
        for key in closePairs {
            let i = Int(key >> 32), j = Int(key & 0xFFFF_FFFF)
            exact.append((i, j, m[i * n + j]))
            m[i * n + j] = 0
            m[j * n + i] = 0
        }
        // 4. dX = −2·M·X + 2·diag(rowsum M)·X for distances, M·X for similarities.
        if kind != .dotProduct {
            Parallel.forEachChunk(n, threads: threads) { rows in
                for i in rows { rowSums[i] = VectorMath.sum(m + i * n, n) }
            }
        }
        BLAS.gemm(
            transposeA: false, transposeB: false, m: n, n: width, k: n, alpha: kind == .dotProduct ? 1 : -2,
            a: m, lda: n, b: x, ldb: width, beta: 0, c: r, ldc: width, threads: threads)
        if kind != .dotProduct {
            for i in 0..<n { VectorMath.axpy(2 * rowSums[i], x + i * width, r + i * width, width) }
        }
        for e in exact { addDifference(e.c, e.i, e.j) }
    }
}
