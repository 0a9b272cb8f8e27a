import Foundation
import TripletCore
import TripletNetworks

/// Multi-head scaled dot-product attention within each sequence of packed tokens, as BERT's
/// self-attention: for every sequence and head, softmax(Q·Kᵀ / √d)·V over the sequence's own tokens (a
/// padded batch's masked keys get weight exactly 0, so this is the same). Q, K and V are [tokens, H]
/// row-major (head h in columns h·d ..< (h+1)·d); each (sequence, head) pair is two GEMMs on strided views,
/// the pairs spread over threads.
enum SelfAttention {
    /// Where each (sequence, head) pair's L×L attention weights start in the weights kept for the backward
    /// pass, and how many there are in all.
    struct WeightLayout {
        let starts: [Int]
        let count: Int

        init(offsets: [Int], heads: Int) {
            var (starts, total) = ([Int](), 0)
            for s in 0..<(offsets.count - 1) {
                let length = offsets[s + 1] - offsets[s]
                for _ in 0..<heads {
                    starts.append(total)
                    total += length * length
                }
            }
            (self.starts, count) = (starts, total)
        }
    }

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

    /// The context [tokens, H] of the sequences at `offsets`. With `probabilities` (`WeightLayout.count`
    /// long), the attention weights of every (sequence, head) pair are kept there for the backward pass.
    static func forward(
        query: Tensor, key: Tensor, value: Tensor, offsets: [Int], heads: Int, threads: Int,
        probabilities: UnsafeMutableBufferPointer<Float>? = nil, dropout: DropoutMasks? = nil
    ) -> Tensor {
        let (tokens, width) = (query.shape[0], query.shape[1])
        let d = width / heads
        let scale = 1 / Float(d).squareRoot()
        let layout = probabilities == nil ? nil : WeightLayout(offsets: offsets, heads: heads)
        let longest = zip(offsets.dropFirst(), offsets).map { $0 - $1 }.max() ?? 0
        return Tensor.filled([tokens, width]) { context in
            query.scalars.withUnsafeBufferPointer { q in
                key.scalars.withUnsafeBufferPointer { k in
                    value.scalars.withUnsafeBufferPointer { v in
                        Parallel.forEachChunk((offsets.count - 1) * heads, threads: threads) { pairs in
                            let s = UnsafeMutablePointer<Float>.allocate(capacity: max(longest * longest, 1))
                            defer { s.deallocate() }
                            for pair in pairs {
                                let (sequence, head) = (pair / heads, pair % heads)
                                let t = offsets[sequence + 1] - offsets[sequence]
                                let offset = offsets[sequence] * width + head * d
                                BLAS.gemm(
                                    transposeA: false, transposeB: true, m: t, n: t, k: d, alpha: scale,
                                    a: q.baseAddress! + offset, lda: width, b: k.baseAddress! + offset, ldb: width,
                                    beta: 0, c: s, ldc: t)
                                for row in 0..<t { softmax(s + row * t, count: t) }
                                if let layout, let kept = probabilities?.baseAddress {
                                    (kept + layout.starts[pair]).update(from: s, count: t * t)
                                }
                                dropout?.apply(s, count: t * t, pair: pair)
                                BLAS.gemm(
                                    transposeA: false, transposeB: false, m: t, n: d, k: t, alpha: 1,
                                    a: s, lda: t, b: v.baseAddress! + offset, ldb: width,
                                    beta: 0, c: context.baseAddress! + offset, ldc: width)
                            }
                        }
                    }
                }
            }
        }
    }

    /// The gradients with respect to Q, K and V ([tokens, H] each) from the context's gradient, given the
    /// forward pass's inputs and attention weights: dV = Pᵀ·dC, dP = dC·Vᵀ, dS = P ⊙ (dP − rowsum(dP ⊙ P)),
    /// dQ = dS·K / √d, dK = dSᵀ·Q / √d per (sequence, head). With `dropout`, P in dV is the dropped weights
    /// and dP passes through the same mask.
    static func backward(
        context gradient: Tensor, query: Tensor, key: Tensor, value: Tensor, probabilities: [Float],
        offsets: [Int], heads: Int, threads: Int, dropout: DropoutMasks? = nil
    ) -> (query: Tensor, key: Tensor, value: Tensor) {
        let (tokens, width) = (query.shape[0], query.shape[1])
        let d = width / heads
        let scale = 1 / Float(d).squareRoot()
        let layout = WeightLayout(offsets: offsets, heads: heads)
        let longest = zip(offsets.dropFirst(), offsets).map { $0 - $1 }.max() ?? 0
        var dq = Tensor.filled([tokens, width]) { $0.update(repeating: 0) }
        var dk = dq, dv = dq
        gradient.scalars.withUnsafeBufferPointer { dc in
            query.scalars.withUnsafeBufferPointer { q in
                key.scalars.withUnsafeBufferPointer { k in
                    value.scalars.withUnsafeBufferPointer { v in
                        probabilities.withUnsafeBufferPointer { p in
                            dq.scalars.withUnsafeMutableBufferPointer { dq in
                                dk.scalars.withUnsafeMutableBufferPointer { dk in
                                    dv.scalars.withUnsafeMutableBufferPointer { dv in
                                        Parallel.forEachChunk((offsets.count - 1) * heads, threads: threads) { pairs in
                                            let scratch = max(longest * longest, 1)
                                            let s = UnsafeMutablePointer<Float>.allocate(capacity: scratch)
                                            let dropped = UnsafeMutablePointer<Float>.allocate(capacity: scratch)
                                            defer {
                                                s.deallocate()
                                                dropped.deallocate()
                                            }
                                            for pair in pairs {
                                                let sequence = pair / heads
                                                let t = offsets[sequence + 1] - offsets[sequence]
                                                let offset = offsets[sequence] * width + (pair % heads) * d
                                                let probs = p.baseAddress! + layout.starts[pair]
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
        return (dq, dk, dv)
    }

    /// row ← softmax(row) in place.
    private static func softmax(_ row: UnsafeMutablePointer<Float>, count: Int) {
        var top = -Float.infinity
        for j in 0..<count { top = max(top, row[j]) }
        var sum: Float = 0
        for j in 0..<count {
            row[j] = exp(row[j] - top)
            sum += row[j]
        }
        let inverse = 1 / sum
        for j in 0..<count { row[j] *= inverse }
    }
}
