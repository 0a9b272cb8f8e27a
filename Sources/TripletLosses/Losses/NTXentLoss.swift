import Foundation
import TripletCore

/// NT-Xent, the normalised temperature-scaled cross-entropy of SimCLR, with pytorch-metric-learning's
/// semantics: for every ordered positive pair (a, p),
/// lₐₚ = −log( e^{sₐₚ/τ} / (e^{sₐₚ/τ} + Σₙ e^{sₐₙ/τ}) ) over the negatives n of a (s = similarity,
/// or −distance), reduced over the positive pairs (the mean, PML's default). With no positive pair or no
/// negative pair in the batch the loss is 0 with a zero gradient.
///
/// ```swift
/// let out = try NTXentLoss(temperature: 0.07)(embeddings, labels: labels)
/// ```
public struct NTXentLoss: EmbeddingLoss {
    /// The temperature τ > 0 (PML default 0.07).
    public var temperature: Float
    /// How embeddings are compared (cosine similarity by default).
    public var distance: Distance
    /// How the per-pair losses are combined.
    public var reducer: Reducer
    /// Threads for the row-parallel parts.
    public var threads: Int
    /// B×B buffers reused from one call to the next (shared by copies of this loss).
    private let scratch = ScratchPool()

    /// A loss with PML's defaults.
    public init(
        temperature: Float = 0.07, distance: Distance = .cosine, reducer: Reducer = .mean,
        threads: Int = Parallel.defaultThreads
    ) {
        self.temperature = temperature
        self.distance = distance
        self.reducer = reducer
        self.threads = threads
    }

    /// Evaluates the loss on a [B, D] batch with one label per row.
    public func callAsFunction(_ embeddings: Tensor, labels: [Int]) throws -> LossOutput {
        try BatchValidation.check(embeddings, labels: labels)
        try BatchValidation.check("temperature", temperature, atLeast: 0, exclusive: true)
        let d = try DistanceMatrix(embeddings: embeddings, distance: distance, threads: threads, scratch: scratch)
        defer { d.recycle() }
        let n = d.count, t = Double(temperature)
        var gradient = PairGradient.dense(like: d)
        var perAnchor = [(loss: Double, pairs: Int, negatives: Int, active: Int)](repeating: (0, 0, 0, 0), count: n)
        d.dissimilarities.withUnsafeBufferPointer { dp in
            gradient.dense.withUnsafeMutableBufferPointer { gp in
                perAnchor.withUnsafeMutableBufferPointer { out in
                    let dp = dp.baseAddress!, g = gp.baseAddress!
                    Parallel.forEachChunk(n, threads: threads) { rows in
                        for a in rows {
                            let row = dp + a * n, grow = g + a * n, label = labels[a]
                            // logit = −d'/τ; N = logsumexp over the negatives.
                            var top = -Double.infinity, negatives = 0
                            for j in 0..<n where labels[j] != label {
                                top = max(top, -Double(row[j]) / t)
                                negatives += 1
                            }
                            var sum = 0.0
                            if negatives > 0 {
                                for j in 0..<n where labels[j] != label { sum += exp(-Double(row[j]) / t - top) }
                            }
                            let logNegatives = negatives > 0 ? top + log(sum) : -Double.infinity
                            var loss = 0.0, pairs = 0, weight = 0.0
                            for p in 0..<n where p != a && labels[p] == label {
                                pairs += 1
                                guard negatives > 0 else { continue }
                                let u = logNegatives + Double(row[p]) / t
                                loss += Softplus.value(u)
                                let s = Softplus.derivative(u)
                                weight += s
                                grow[p] += Float(s / t)
                            }
                            if weight > 0 {
                                for j in 0..<n where labels[j] != label {
                                    let softmax = exp(-Double(row[j]) / t - logNegatives)
                                    grow[j] -= Float(weight * softmax / t)
                                }
                            }
                            out[a] = (loss, pairs, negatives, negatives > 0 ? pairs : 0)
                        }
                    }
                }
            }
        }
        let pairs = perAnchor.reduce(0) { $0 + $1.pairs }
        let negativePairs = perAnchor.reduce(0) { $0 + $1.negatives }
        let loss = perAnchor.reduce(0.0) { $0 + $1.loss }
        guard pairs > 0, negativePairs > 0 else {
            return .zero(like: embeddings, stats: d.labelStats(labels, candidates: pairs, active: 0))
        }
        // A pair whose anchor has no negative costs exactly 0 and is not active.
        let active = perAnchor.reduce(0) { $0 + $1.active }
        let stats = d.labelStats(labels, candidates: pairs, active: active)
        guard let divisor = reducer.divisor(candidates: pairs, active: active) else {
            return .zero(like: embeddings, stats: stats)
        }
        return LossOutput(
            value: Float(loss / divisor), gradient: d.backward(consume gradient, scale: Float(1 / divisor)),
            stats: stats)
    }
}
