import Foundation
import TripletCore
import TripletNetworks

/// Multi-head scaled dot-product attention over a padded batch, as BERT's self-attention: for every
/// sequence and head, softmax(Q·Kᵀ / √d + mask)·V, with padded keys masked out. Q, K and V are
/// [B·T, H] row-major (head h in columns h·d ..< (h+1)·d); each (sequence, head) pair is two GEMMs on
/// strided views, the pairs spread over threads.
enum SelfAttention {
    /// Dropout on the attention weights: each (sequence, head) pair's T×T mask drawn from `seed` and the
    /// pair's index, so that the backward pass (and a replayed forward pass) draws the same mask.
    struct DropoutMasks {
        let p: Float
        let seed: UInt64

        /// Multiplies the `count` weights at `row` of pair `pair` by their mask (0 or 1/(1 − p)).
        func apply(_ weights: UnsafeMutablePointer<Float>, count: Int, pair: Int) {
            var g = SeededGenerator(seed: seed ^ (UInt64(pair) &* 0x9E37_79B9_7F4A_7C15))
            let threshold = UInt64((Double(1 - p) * 4_294_967_296).rounded(.down)), scale = 1 / (1 - p)
            var i = 0
            while i < count {
                let bits = g.next()
                weights[i] *= bits & 0xFFFF_FFFF < threshold ? scale : 0
                if i + 1 < count { weights[i + 1] *= bits >> 32 < threshold ? scale : 0 }
                i += 2
            }
        }
    }

    /// The context [B·T, H] for `batch` sequences of `length` tokens; `mask[b][t]` is 1 for a token. With
    /// `probabilities`, the attention weights of every (sequence, head) pair, T×T each, are kept there for
    /// the backward pass.
    static func forward(
        query: Tensor, key: Tensor, value: Tensor, mask: [[Int]], heads: Int, threads: Int,
        probabilities: UnsafeMutableBufferPointer<Float>? = nil, dropout: DropoutMasks? = nil
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
                                    dropout?.apply(s.baseAddress!, count: t * t, pair: pair)
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
    /// dQ = dS·K / √d, dK = dSᵀ·Q / √d per (sequence, head). With `dropout`, P in dV is the dropped weights
    /// and dP passes through the same mask.
    static func backward(
        context gradient: Tensor, query: Tensor, key: Tensor, value: Tensor, probabilities: [Float],
        sequences b: Int, length t: Int, heads: Int, threads: Int, dropout: DropoutMasks? = nil
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
                                            let dropped = UnsafeMutablePointer<Float>.allocate(
                                                capacity: dropout == nil ? 1 : t * t)
                                            defer { dropped.deallocate() }
                                            for pair in pairs {
                                                let offset = (pair / heads) * t * width + (pair % heads) * d
                                                let probs = p.baseAddress! + pair * t * t
                                                ds.withUnsafeMutableBufferPointer { ds in
                                                    let s = ds.baseAddress!
                                                    // The weights V was multiplied by: P, or P under its mask.
                                                    var used = probs
                                                    if let dropout {
                                                        dropped.update(from: probs, count: t * t)
                                                        dropout.apply(dropped, count: t * t, pair: pair)
                                                        used = UnsafePointer(dropped)
                                                    }
                                                    BLAS.gemm(
                                                        transposeA: true, transposeB: false, m: t, n: d, k: t, alpha: 1,
                                                        a: used, lda: t, b: dc.baseAddress! + offset, ldb: width,
                                                        beta: 0, c: dv.baseAddress! + offset, ldc: width)
                                                    BLAS.gemm(
                                                        transposeA: false, transposeB: true, m: t, n: t, k: d, alpha: 1,
                                                        a: dc.baseAddress! + offset, lda: width,
                                                        b: v.baseAddress! + offset, ldb: width, beta: 0, c: s, ldc: t)
                                                    // dP = dP' ⊙ mask: the mask's 0 or 1/(1 − p) again.
                                                    if let dropout { dropout.apply(s, count: t * t, pair: pair) }
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
