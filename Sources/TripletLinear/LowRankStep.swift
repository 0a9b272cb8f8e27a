import TripletCore

extension LowRankRelativeComparisons {
    /// One minibatch subgradient step, with its buffers allocated once per fit.
    struct Step {
        let dimension: Int, rank: Int, batch: Int
        private var u: [Float], v: [Float], pu: [Float], pv: [Float], k: [Float], gradient: [Float]

        init(dimension d: Int, rank r: Int, batch b: Int) {
            (dimension, rank, batch) = (d, r, b)
            (u, v) = ([Float](repeating: 0, count: b * d), [Float](repeating: 0, count: b * d))
            (pu, pv) = ([Float](repeating: 0, count: b * r), [Float](repeating: 0, count: b * r))
            k = [Float](repeating: 0, count: d * d)
            gradient = [Float](repeating: 0, count: r * d)
        }

        /// Updates `l` on `batch`; returns the sum of the batch's hinges before the update.
        mutating func run(
            _ l: inout [Float], features: Tensor, batch: [Comparison], regulariser: Float, learningRate: Float
        ) -> Double {
            let d = dimension, r = rank, b = batch.count
            features.scalars.withUnsafeBufferPointer { x in
                for (t, c) in batch.enumerated() {
                    for i in 0..<d {
                        let anchor = x[c.anchor * d + i]
                        u[t * d + i] = anchor - x[c.negative * d + i]
                        v[t * d + i] = anchor - x[c.positive * d + i]
                    }
                }
            }
            project(u, into: &pu, l, rows: b)
            project(v, into: &pv, l, rows: b)
            var hinge = 0.0
            for t in 0..<b {
                var margin: Float = 0
                for j in 0..<r { margin += pu[t * r + j] * pu[t * r + j] - pv[t * r + j] * pv[t * r + j] }
                if margin < 1 {
                    hinge += Double(1 - margin)
                } else {
                    for i in 0..<d { (u[t * d + i], v[t * d + i]) = (0, 0) }  // only violated rows count
                }
            }
            // K = (2/CN) LᵀL − (2/B) (UᵀU − VᵀV); the gradient is L K.
            let scale = 2 / Float(b)
            l.withUnsafeBufferPointer { pl in
                k.withUnsafeMutableBufferPointer { pk in
                    BLAS.gemm(
                        transposeA: true, transposeB: false, m: d, n: d, k: r, alpha: regulariser, a: pl.baseAddress!,
                        lda: d, b: pl.baseAddress!, ldb: d, beta: 0, c: pk.baseAddress!, ldc: d)
                    u.withUnsafeBufferPointer { pu in
                        BLAS.gemm(
                            transposeA: true, transposeB: false, m: d, n: d, k: b, alpha: -scale, a: pu.baseAddress!,
                            lda: d, b: pu.baseAddress!, ldb: d, beta: 1, c: pk.baseAddress!, ldc: d)
                    }
                    v.withUnsafeBufferPointer { pv in
                        BLAS.gemm(
                            transposeA: true, transposeB: false, m: d, n: d, k: b, alpha: scale, a: pv.baseAddress!,
                            lda: d, b: pv.baseAddress!, ldb: d, beta: 1, c: pk.baseAddress!, ldc: d)
                    }
                    gradient.withUnsafeMutableBufferPointer { pg in
                        BLAS.gemm(
                            transposeA: false, transposeB: false, m: r, n: d, k: d, alpha: 1, a: pl.baseAddress!,
                            lda: d, b: pk.baseAddress!, ldb: d, beta: 0, c: pg.baseAddress!, ldc: d)
                    }
                }
            }
            for i in 0..<r * d { l[i] -= learningRate * gradient[i] }
            return hinge
        }

        /// out = rows · Lᵀ ([rows, rank]).
        private func project(_ input: [Float], into out: inout [Float], _ l: [Float], rows: Int) {
            input.withUnsafeBufferPointer { pi in
                l.withUnsafeBufferPointer { pl in
                    out.withUnsafeMutableBufferPointer { po in
                        BLAS.gemm(
                            transposeA: false, transposeB: true, m: rows, n: rank, k: dimension, alpha: 1,
                            a: pi.baseAddress!, lda: dimension, b: pl.baseAddress!, ldb: dimension, beta: 0,
                            c: po.baseAddress!, ldc: rank)
                    }
                }
            }
        }
    }
}
