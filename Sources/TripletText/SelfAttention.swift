import Foundation
import TripletCore
import TripletNetworks

/// Multi-head scaled dot-product attention over a padded batch, as BERT's self-attention: for every
/// sequence and head, softmax(Q·Kᵀ / √d + mask)·V, with padded keys masked out. Q, K and V are
/// [B·T, H] row-major (head h in columns h·d ..< (h+1)·d); each (sequence, head) pair is two GEMMs on
/// strided views, the pairs spread over threads.
enum SelfAttention {
    /// The context [B·T, H] for `batch` sequences of `length` tokens; `mask[b][t]` is 1 for a token. With
    /// `probabilities`, the attention weights of every (sequence, head) pair, T×T each, are kept there for
    /// the backward pass.
    static func forward(
        query: Tensor, key: Tensor, value: Tensor, mask: [[Int]], heads: Int, threads: Int,
        probabilities: UnsafeMutableBufferPointer<Float>? = nil
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
                                    probabilities?.baseAddress.map {
                                        ($0 + pair * t * t).update(from: s.baseAddress!, count: t * t)
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

    /// The gradients with respect to Q, K and V ([B·T, H] each) from the context's gradient, given the
    /// forward pass's inputs and attention weights: dV = Pᵀ·dC, dP = dC·Vᵀ, dS = P ⊙ (dP − rowsum(dP ⊙ P)),
    /// dQ = dS·K / √d, dK = dSᵀ·Q / √d per (sequence, head).
    static func backward(
        context gradient: Tensor, query: Tensor, key: Tensor, value: Tensor, probabilities: [Float],
        sequences b: Int, length t: Int, heads: Int, threads: Int
    ) -> (query: Tensor, key: Tensor, value: Tensor) {
        let width = query.shape[1], d = width / heads
        let scale = 1 / Float(d).squareRoot()
        var dq = Tensor.filled([b * t, width]) { $0.update(repeating: 0) }
        var dk = dq, dv = dq
        gradient.scalars.withUnsafeBufferPointer { dc in
            query.scalars.withUnsafeBufferPointer { q in
                key.scalars.withUnsafeBufferPointer { k in
                    value.scalars.withUnsafeBufferPointer { v in
                        probabilities.withUnsafeBufferPointer { p in
                            dq.scalars.withUnsafeMutableBufferPointer { dq in
                                dk.scalars.withUnsafeMutableBufferPointer { dk in
                                    dv.scalars.withUnsafeMutableBufferPointer { dv in
                                        Parallel.forEachChunk(b * heads, threads: threads) { pairs in
                                            var ds = [Float](repeating: 0, count: t * t)
                                            for pair in pairs {
                                                let offset = (pair / heads) * t * width + (pair % heads) * d
                                                let probs = p.baseAddress! + pair * t * t
                                                ds.withUnsafeMutableBufferPointer { ds in
                                                    let s = ds.baseAddress!
                                                    BLAS.gemm(
                                                        transposeA: true, transposeB: false, m: t, n: d, k: t, alpha: 1,
                                                        a: probs, lda: t, b: dc.baseAddress! + offset, ldb: width,
                                                        beta: 0, c: dv.baseAddress! + offset, ldc: width)
                                                    BLAS.gemm(
                                                        transposeA: false, transposeB: true, m: t, n: t, k: d, alpha: 1,
                                                        a: dc.baseAddress! + offset, lda: width,
                                                        b: v.baseAddress! + offset, ldb: width, beta: 0, c: s, ldc: t)
                                                    for row in 0..<t {
                                                        let (pr, sr) = (probs + row * t, s + row * t)
                                                        var dot: Float = 0
                                                        for j in 0..<t { dot += pr[j] * sr[j] }
                                                        for j in 0..<t { sr[j] = pr[j] * (sr[j] - dot) }
                                                    }
                                                    BLAS.gemm(
                                                        transposeA: false, transposeB: false, m: t, n: d, k: t,
                                                        alpha: scale, a: s, lda: t, b: k.baseAddress! + offset,
                                                        ldb: width, beta: 0, c: dq.baseAddress! + offset, ldc: width)
                                                    BLAS.gemm(
                                                        transposeA: true, transposeB: false, m: t, n: d, k: t,
                                                        alpha: scale, a: s, lda: t, b: q.baseAddress! + offset,
                                                        ldb: width, beta: 0, c: dk.baseAddress! + offset, ldc: width)
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return (dq, dk, dv)
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
