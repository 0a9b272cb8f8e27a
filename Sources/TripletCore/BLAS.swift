#if canImport(Accelerate)
    import Accelerate
#else
    import COpenBLAS
#endif

/// Wrappers over the BLAS routines TripletKit uses: OpenBLAS on Linux, Accelerate on Apple platforms.
/// All matrices are row-major and passed as raw pointers; the caller owns bounds.
///
/// TripletKit runs BLAS on its own threads: each call splits its output rows across `threads` workers
/// (`Parallel`), and OpenBLAS itself is set to one thread. OpenBLAS's own workers spin for a while after
/// each call and would compete with the row-parallel loops that follow; one thread pool avoids that.
public enum BLAS {
    private static let singleThreaded: Void = {
        #if !canImport(Accelerate)
            openblas_set_num_threads(1)
        #endif
    }()

    /// C = alpha·op(A)·op(B) + beta·C, with op(X) = X or Xᵀ; op(A) is m×k, op(B) is k×n, C is m×n.
    /// Blocks of rows of C run in parallel on up to `threads` threads.
    public static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int = 1
    ) {
        _ = singleThreaded
        if m == 1 && transposeB && !transposeA {
            // One row against many: a matrix-vector product, without packing B (c = alpha·B·a + beta·c).
            cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(n), Int32(k), alpha, b, Int32(ldb), a, 1, beta, c, 1)
            return
        }
        // Splitting pays off only when every block is still a sizeable product.
        let blocks = m * n * k >= 1 << 22 ? max(1, min(threads, m / 64)) : 1
        Parallel.forEachChunk(m, threads: blocks, chunksPerThread: 1) { rows in
            // Row r of op(A) starts at a + r·lda, or at column r of A when transposed.
            let aStart = transposeA ? a + rows.lowerBound : a + rows.lowerBound * lda
            cblas_sgemm(
                CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                Int32(rows.count), Int32(n), Int32(k), alpha, aStart, Int32(lda), b, Int32(ldb), beta,
                c + rows.lowerBound * ldc, Int32(ldc))
        }
    }

    /// The upper triangle of C = alpha·A·Aᵀ (n×n, A is n×k), lower triangle left as is, on up to `threads`
    /// threads: row blocks of equal triangle area, each an SGEMM of its rows against the rows after them.
    public static func syrkUpper(
        n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int = 1
    ) {
        _ = singleThreaded
        let blocks = n * n * k >= 1 << 22 ? max(1, min(threads * 4, n / 64)) : 1
        if blocks == 1 {
            cblas_ssyrk(
                CblasRowMajor, CblasUpper, CblasNoTrans, Int32(n), Int32(k), alpha, a, Int32(lda), 0, c, Int32(ldc))
            return
        }
        // Block b starts where the remaining triangle is (1 − b/blocks) of the whole: n·(1 − √(1 − b/blocks)).
        let bounds = (0...blocks).map { b in
            b == blocks ? n : Int(Double(n) * (1 - (1 - Double(b) / Double(blocks)).squareRoot()))
        }
        Parallel.forEachChunk(blocks, threads: threads, chunksPerThread: 4) { range in
            for block in range where bounds[block] < bounds[block + 1] {
                let r0 = bounds[block], rows = bounds[block + 1] - r0
                cblas_sgemm(
                    CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(n - r0), Int32(k), alpha,
                    a + r0 * lda, Int32(lda), a + r0 * lda, Int32(lda), 0, c + r0 * ldc + r0, Int32(ldc))
            }
        }
    }
}
