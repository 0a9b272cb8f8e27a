#if canImport(Accelerate)
    import Accelerate
#else
    import COpenBLAS
#endif

/// Thin wrappers over the BLAS routines TripletKit uses: OpenBLAS on Linux, Accelerate on Apple platforms.
/// All matrices are row-major and passed as raw pointers; the caller owns bounds.
public enum BLAS {
    /// C = alpha·op(A)·op(B) + beta·C, with op(X) = X or Xᵀ; op(A) is m×k, op(B) is k×n, C is m×n.
    @inlinable
    public static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// The upper triangle of C = alpha·A·Aᵀ + beta·C for an n×k matrix A (the lower triangle is left as is).
    @inlinable
    public static func syrkUpper(
        n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_ssyrk(
            CblasRowMajor, CblasUpper, CblasNoTrans, Int32(n), Int32(k), alpha, a, Int32(lda), beta, c, Int32(ldc))
    }

    /// Sets how many threads BLAS calls may use (OpenBLAS only; Accelerate manages its own).
    public static func setThreadCount(_ count: Int) {
        #if !canImport(Accelerate)
            openblas_set_num_threads(Int32(max(1, count)))
        #endif
    }
}
