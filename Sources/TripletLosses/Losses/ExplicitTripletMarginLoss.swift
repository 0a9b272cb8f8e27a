import Foundation
import TripletCore

/// `torch.nn.TripletMarginLoss` on explicit (anchor, positive, negative) index triplets of a batch:
/// d(u, v) = ‖u − v + eps‖ₚ (eps added to every component, as `torch.pairwise_distance`),
/// lₜ = max(0, d(a,p) − d(a,n) + margin), with `swap` d(a,n) := min(d(a,n), d(p,n)); reduced by the
/// mean over all triplets (zeros included) or the sum. Embeddings are used as given (no normalisation);
/// an index may appear in several triplets and its gradients add up. No triplets: loss 0, zero gradient.
///
/// ```swift
/// let loss = ExplicitTripletMarginLoss(margin: 1)
/// let out = try loss(embeddings, triplets: [Triplet(0, 1, 2), Triplet(3, 4, 0)])
/// ```
public struct ExplicitTripletMarginLoss: Sendable {
    /// torch's `reduction`.
    public enum Reduction: String, Sendable, CaseIterable {
        /// The mean over all triplets.
        case mean
        /// The sum over all triplets.
        case sum
    }

    /// The margin (torch default 1).
    public var margin: Float
    /// The norm degree p ≥ 1 (torch default 2).
    public var p: Float
    /// Added to every component of u − v (torch default 1e-6).
    public var eps: Float
    /// Use min(d(a,n), d(p,n)) as the negative distance.
    public var swap: Bool
    /// How per-triplet losses are combined.
    public var reduction: Reduction

    /// A loss with torch's defaults.
    public init(margin: Float = 1, p: Float = 2, eps: Float = 1e-6, swap: Bool = false, reduction: Reduction = .mean) {
        self.margin = margin
        self.p = p
        self.eps = eps
        self.swap = swap
        self.reduction = reduction
    }

    /// Evaluates the loss of `triplets` on a [B, D] batch.
    public func callAsFunction(_ embeddings: Tensor, triplets: [Triplet]) throws -> LossOutput {
        try embeddings.validateEmbeddings()
        try BatchValidation.check("margin", margin, atLeast: 0)
        try BatchValidation.check("p", p, atLeast: 1)
        try BatchValidation.check("eps", eps, atLeast: 0)
        let n = embeddings.rowCount, width = embeddings.rowWidth
        for t in triplets {
            for i in [t.anchor, t.positive, t.negative] where !(0..<n).contains(i) {
                throw TripletError.indexOutOfRange(what: "triplet \(t)", index: i, count: n)
            }
        }
        var gradient = Tensor.zeros(embeddings.shape)
        var loss = 0.0, active = 0, positiveSum = 0.0, negativeSum = 0.0
        let scale: Float = reduction == .mean && !triplets.isEmpty ? 1 / Float(triplets.count) : 1
        var delta = [Float](repeating: 0, count: width)
        embeddings.scalars.withUnsafeBufferPointer { xp in
            gradient.scalars.withUnsafeMutableBufferPointer { gp in
                let x = xp.baseAddress!, g = gp.baseAddress!
                func distance(_ i: Int, _ j: Int) -> Float {
                    norm(x + i * width, x + j * width, width)
                }
                // Adds w · ∂d(i, j)/∂u to row i and its negative to row j.
                func addGradient(_ i: Int, _ j: Int, _ w: Float) {
                    let d = distance(i, j)
                    guard d > 0 else { return }
                    for k in 0..<width {
                        delta[k] = x[i * width + k] - x[j * width + k] + eps
                    }
                    for k in 0..<width {
                        let a = delta[k]
                        let dk =
                            p == 2 ? a / d : (a < 0 ? -1 : 1) * Float(pow(Double(abs(a)) / Double(d), Double(p - 1)))
                        g[i * width + k] += w * dk
                        g[j * width + k] -= w * dk
                    }
                }
                for t in triplets {
                    let dap = distance(t.anchor, t.positive), dan = distance(t.anchor, t.negative)
                    let dpn = swap ? distance(t.positive, t.negative) : dan
                    positiveSum += Double(dap)
                    negativeSum += Double(dan)
                    let violation = dap - min(dan, dpn) + margin
                    guard violation > 0 else { continue }
                    active += 1
                    loss += Double(violation)
                    addGradient(t.anchor, t.positive, scale)
                    // torch.min splits the gradient evenly between equal arguments.
                    if !swap || dan < dpn {
                        addGradient(t.anchor, t.negative, -scale)
                    } else if dpn < dan {
                        addGradient(t.positive, t.negative, -scale)
                    } else {
                        addGradient(t.anchor, t.negative, -scale / 2)
                        addGradient(t.positive, t.negative, -scale / 2)
                    }
                }
            }
        }
        let count = Double(max(triplets.count, 1))
        return LossOutput(
            value: Float(loss * Double(scale)), gradient: gradient,
            stats: LossStats(
                candidateCount: triplets.count, activeCount: active,
                meanPositiveDistance: positiveSum / count, meanNegativeDistance: negativeSum / count))
    }

    /// ‖u − v + eps‖ₚ.
    private func norm(_ u: UnsafePointer<Float>, _ v: UnsafePointer<Float>, _ width: Int) -> Float {
        if p == 2 {
            // In Double: squares of differences past 1.8e19 would overflow Float.
            var s = 0.0
            for k in 0..<width {
                let a = Double(u[k] - v[k] + eps)
                s += a * a
            }
            return Float(s.squareRoot())
        }
        var s = 0.0
        for k in 0..<width { s += pow(Double(abs(u[k] - v[k] + eps)), Double(p)) }
        return Float(pow(s, 1 / Double(p)))
    }
}
