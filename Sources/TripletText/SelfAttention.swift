import Foundation
import TripletCore
import TripletNetworks

/// Multi-head scaled dot-product attention over a padded batch, as BERT's self-attention: for every
/// sequence and head, softmax(Q·Kᵀ / √d + mask)·V, with padded keys masked out. Q, K and V are
/// [B·T, H] row-major (head h in columns h·d ..< (h+1)·d); each (sequence, head) pair is two GEMMs on
/// strided views, the pairs spread over threads.
enum SelfAttention {
    /// The context [B·T, H] for `batch` sequences of `length` tokens; `mask[b][t]` is 1 for a token.
    static func forward(
        query: Tensor, key: Tensor, value: Tensor, mask: [[Int]], heads: Int, threads: Int
    ) -> Tensor {
        let (b, t, width) = (mask.count, mask.first?.count ?? 0, query.shape[1])
        let d = width / heads
        let scale = 1 / Float(d).squareRoot()
        let keyBias = mask.flatMap { $0.map { $0 == 1 ? Float(0) : -Float.greatestFiniteMagnitude } }
        return Tensor.filled([b * t, width]) { context in
            query.scalars.withUnsafeBufferPointer { q in
                key.scalars.withUnsafeBufferPointer { k in
                    value.scalars.withUnsafeBufferPointer { v in
                        Parallel.forEachChunk(b * heads, threads: threads) { pairs in
                            var scores = [Float](repeating: 0, count: t * t)
                            for pair in pairs {
                                let (sequence, head) = (pair / heads, pair % heads)
                                let offset = sequence * t * width + head * d
                                scores.withUnsafeMutableBufferPointer { s in
                                    BLAS.gemm(
                                        transposeA: false, transposeB: true, m: t, n: t, k: d, alpha: scale,
                                        a: q.baseAddress! + offset, lda: width, b: k.baseAddress! + offset, ldb: width,
                                        beta: 0, c: s.baseAddress!, ldc: t)
                                    for row in 0..<t {
                                        softmax(s.baseAddress! + row * t, bias: keyBias, start: sequence * t, count: t)
                                    }
                                    BLAS.gemm(
                                        transposeA: false, transposeB: false, m: t, n: d, k: t, alpha: 1,
                                        a: s.baseAddress!, lda: t, b: v.baseAddress! + offset, ldb: width,
                                        beta: 0, c: context.baseAddress! + offset, ldc: width)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// row ← softmax(row + bias[start ..< start + count]) in place.
    private static func softmax(_ row: UnsafeMutablePointer<Float>, bias: [Float], start: Int, count: Int) {
        var top = -Float.infinity
        for j in 0..<count {
            row[j] += bias[start + j]
            top = max(top, row[j])
        }
        var sum: Float = 0
        for j in 0..<count {
            row[j] = exp(row[j] - top)
            sum += row[j]
        }
        let inverse = 1 / sum
        for j in 0..<count { row[j] *= inverse }
    }
}
