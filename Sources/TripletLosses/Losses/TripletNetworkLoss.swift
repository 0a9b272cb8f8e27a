import Foundation
import TripletCore

/// The triplet network's loss (Hoffer & Ailon, "Deep metric learning using Triplet network", 2015):
/// on raw embeddings, d+ = ‖a − p‖₂ and d− = ‖a − n‖₂ go through a softmax,
/// (q+, q−) = (e^{d+}, e^{d−}) / (e^{d+} + e^{d−}), and each triplet costs ‖(q+, q−) − (0, 1)‖² = 2·q+²;
/// the loss is the mean over the triplets (0 with a zero gradient when there is none).
///
/// The triplets are explicit (`callAsFunction(_:triplets:)`) or mined from labels by `miner`
/// (`callAsFunction(_:labels:)`; no miner: every valid triplet, visited one by one without a list).
/// At d± = 0 the distance's subgradient 0 is used (PyTorch's convention for ‖·‖ at 0): coincident points
/// get no gradient through that distance, and nothing is NaN.
///
/// Statistics: every triplet is a candidate; the active ones are those still misordered (d+ ≥ d−), since
/// the softmax never makes a term exactly 0; the mean distances are those of the triplets' d+ and d−.
///
/// ```swift
/// let out = try TripletNetworkLoss()(embeddings, triplets: [Triplet(0, 1, 2)])
/// let mined = try TripletNetworkLoss(miner: TripletMarginMiner(margin: 0.2, type: .semihard))(embeddings, labels: y)
/// ```
public struct TripletNetworkLoss: EmbeddingLoss {
    /// Which triplets of a labelled batch count; `nil` for every valid triplet.
    public var miner: (any TripletMiner)?
    /// Threads for the row-parallel parts.
    public var threads: Int
    /// B×B buffers reused from one call to the next (shared by copies of this loss).
    private let scratch = ScratchPool()
    /// Above this, e^{d} is not used as a factor (its inverse would lose precision as a subnormal).
    private static let largeExp = 1e300

    /// A loss over the triplets `miner` selects (every valid one without a miner).
    public init(miner: (any TripletMiner)? = nil, threads: Int = Parallel.defaultThreads) {
        self.miner = miner
        self.threads = threads
    }

    /// The loss of explicit (anchor, positive, negative) triplets of a [B, D] batch; an index may appear in
    /// several triplets and its gradients add up.
    /// - Throws: `TripletError` for empty or non-finite embeddings or an index outside the batch.
    public func callAsFunction(_ embeddings: Tensor, triplets: [Triplet]) throws -> LossOutput {
        try embeddings.validateEmbeddings()
        let n = embeddings.rowCount
        for t in triplets {
            for i in [t.anchor, t.positive, t.negative] where !(0..<n).contains(i) {
                throw TripletError.indexOutOfRange(what: "triplet \(t)", index: i, count: n)
            }
        }
        return try evaluate(embeddings, mined: .list(triplets), labels: [])
    }

    /// The loss of the triplets `miner` selects in a labelled [B, D] batch.
    /// - Throws: `TripletError` for empty or non-finite embeddings, a label count that differs from the
    ///   rows, or a miner option out of range.
    public func callAsFunction(_ embeddings: Tensor, labels: [Int]) throws -> LossOutput {
        try BatchValidation.check(embeddings, labels: labels)
        try miner?.validate()
        return try evaluate(embeddings, mined: nil, labels: labels)
    }

    /// Distances once, then each triplet's dL/dd± into a pair gradient, then one backward pass.
    private func evaluate(_ embeddings: Tensor, mined: MinedTriplets?, labels: [Int]) throws -> LossOutput {
        let matrix = try DistanceMatrix(
            embeddings: embeddings, distance: .euclidean(normalized: false), threads: threads, scratch: scratch)
        defer { matrix.recycle() }
        let selection = mined ?? miner?.mine(matrix, labels: labels) ?? .marginRange(.all)
        let n = matrix.count
        var gradient: PairGradient
        if case .list(let list) = selection, list.count * 25 < n * n {
            gradient = .sparse(count: n, capacity: 2 * list.count)
        } else {
            gradient = .dense(like: matrix)
        }
        var sums = TripletNetworkSums()
        matrix.dissimilarities.withUnsafeBufferPointer { dp in
            let d = dp.baseAddress!
            switch selection {
            case .list(let list):
                for t in list {
                    let (a, p, q) = (t.anchor, t.positive, t.negative)
                    sums.visit(d, n, a, p, q, ratio: exp(Double(d[a * n + q]) - Double(d[a * n + p]))) {
                        gradient.add($0, $1, $2)
                    }
                }
            case .marginRange(let range):
                // Anchors in parallel: each writes only its own gradient row.
                let groups = LabelGroups(labels)
                var perAnchor = [TripletNetworkSums](repeating: TripletNetworkSums(), count: n)
                gradient.dense.withUnsafeMutableBufferPointer { gp in
                    perAnchor.withUnsafeMutableBufferPointer { out in
                        let g = gp.baseAddress!
                        Parallel.forEachChunk(n, threads: matrix.threads) { anchors in
                            // e^{d(a, j)} once per row: a triplet's e^{d− − d+} is then one product.
                            var exps = [Double](repeating: 0, count: n)
                            for a in anchors {
                                let label = groups.classOf[a]
                                var anchorSums = TripletNetworkSums()
                                for j in 0..<n { exps[j] = exp(Double(d[a * n + j])) }
                                for p in groups.classmates(of: a) where Int(p) != a {
                                    let dap = d[a * n + Int(p)], inverse = 1 / exps[Int(p)]
                                    let positiveFits = exps[Int(p)] < Self.largeExp
                                    for q in 0..<n
                                    where groups.classOf[q] != label
                                        && range.contains(positive: dap, negative: d[a * n + q])
                                    {
                                        // Past d ≈ 690, e^{d} nears overflow and its inverse underflow: one exp instead.
                                        let ratio =
                                            positiveFits && exps[q] < Self.largeExp
                                            ? exps[q] * inverse : exp(Double(d[a * n + q]) - Double(dap))
                                        anchorSums.visit(d, n, a, Int(p), q, ratio: ratio) { g[$0 * n + $1] += $2 }
                                    }
                                }
                                out[a] = anchorSums
                            }
                        }
                    }
                }
                for s in perAnchor { sums.add(s) }
            }
        }
        let mean = Double(max(sums.count, 1))
        let stats = LossStats(
            candidateCount: sums.count, activeCount: sums.misordered, meanPositiveDistance: sums.positive / mean,
            meanNegativeDistance: sums.negative / mean)
        guard sums.count > 0 else { return .zero(like: embeddings, stats: stats) }
        return LossOutput(
            value: Float(sums.loss / mean), gradient: matrix.backward(gradient, scale: Float(1 / mean)), stats: stats)
    }
}

/// The summed terms of the triplet network's loss, and its counts.
struct TripletNetworkSums {
    var loss = 0.0
    var count = 0
    var misordered = 0
    var positive = 0.0
    var negative = 0.0

    /// One triplet, given `ratio` = e^{d− − d+}: loss 2q+², q+ = σ(d+ − d−) = 1 / (1 + ratio);
    /// dL/dd+ = 4q+²(1 − q+) = −dL/dd−, passed to `add(i, j, dL/dd)`.
    @inline(__always)
    mutating func visit(
        _ d: UnsafePointer<Float>, _ n: Int, _ a: Int, _ p: Int, _ q: Int, ratio: Double,
        add: (Int, Int, Float) -> Void
    ) {
        let dPositive = Double(d[a * n + p]), dNegative = Double(d[a * n + q])
        let qPositive = 1 / (1 + ratio)
        loss += 2 * qPositive * qPositive
        count += 1
        if dPositive >= dNegative { misordered += 1 }
        positive += dPositive
        negative += dNegative
        let slope = Float(4 * qPositive * qPositive * (1 - qPositive))
        guard slope != 0 else { return }
        add(a, p, slope)
        add(a, q, -slope)
    }

    /// Adds another anchor's sums.
    mutating func add(_ other: TripletNetworkSums) {
        loss += other.loss
        count += other.count
        misordered += other.misordered
        positive += other.positive
        negative += other.negative
    }
}
