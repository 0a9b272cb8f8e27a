import Foundation
import TripletCore

/// A loss that cross-batch memory can evaluate between a batch's anchors and the memory's references:
/// `TripletMarginLoss` (hinge, without swap), `ContrastiveLoss` and `NTXentLoss`, each with its own distance
/// and reducer, as pytorch-metric-learning's losses called with `ref_emb`.
public protocol CrossBatchLoss: EmbeddingLoss {}

/// The loss against references, for the losses of this module.
protocol ReferenceLossKernel: CrossBatchLoss {
    /// Throws when an option is out of range or not available against references.
    func validateForReferences() throws
    /// The loss of `selection` over `batch` and dL/d(anchors).
    func evaluate(_ selection: ReferenceSelection, _ batch: ReferenceBatch) throws -> LossOutput
}

extension TripletMarginLoss: CrossBatchLoss, ReferenceLossKernel {
    func validateForReferences() throws {
        try BatchValidation.check("margin", margin, atLeast: 0)
        guard !smooth, !swap else {
            throw TripletError.invalidParameter(
                name: smooth ? "smooth" : "swap", value: "true",
                expected: "false with cross-batch memory (the hinge loss without swap is supported)")
        }
    }

    /// Triplets as PML forms them from the selection (`convert_to_triplets` for pairs), streamed per anchor.
    func evaluate(_ selection: ReferenceSelection, _ batch: ReferenceBatch) throws -> LossOutput {
        let matrix = try batch.matrix(distance), b = batch.rows, m = batch.columns
        var gradient = [Float](repeating: 0, count: b * m)
        var loss = 0.0, candidates = 0, active = 0
        switch selection {
        case .triplets(let list):
            for t in list {
                let dap = matrix.dissimilarities[t.anchor * m + t.positive]
                let violation = (dap - matrix.dissimilarities[t.anchor * m + t.negative]) + margin
                candidates += 1
                guard violation > 0 else { continue }
                active += 1
                loss += Double(violation)
                gradient[t.anchor * m + t.positive] += 1
                gradient[t.anchor * m + t.negative] -= 1
            }
        case .pairs, .tripletRange:
            let (counts, range) = try Self.weightedTriplets(selection, lossDistance: distance)
            var perAnchor = [(loss: Double, candidates: Int, active: Int)](repeating: (0, 0, 0), count: b)
            gradient.withUnsafeMutableBufferPointer { g in
                perAnchor.withUnsafeMutableBufferPointer { sums in
                    let g = g.baseAddress!, sums = sums.baseAddress!
                    batch.sweepAnchors(matrix, counts) { sweep, a in
                        sums[a] = sweep.hinge(range: range, margin: margin, into: g + a * m)
                    }
                }
            }
            for s in perAnchor {
                loss += s.loss
                candidates += s.candidates
                active += s.active
            }
        }
        let stats = batch.stats(matrix, candidates: candidates, active: active)
        guard let divisor = reducer.divisor(candidates: candidates, active: active), active > 0 else {
            return .zero(like: batch.anchors, stats: stats)
        }
        return LossOutput(
            value: Float(loss / divisor), gradient: matrix.backward(&gradient, scale: Float(1 / divisor)), stats: stats)
    }

    /// The pair counts and margin range of a selection read as triplets.
    private static func weightedTriplets(
        _ selection: ReferenceSelection, lossDistance: Distance
    ) throws -> (PairCounts, MarginRange) {
        switch selection {
        case .pairs(let counts): return (counts, .all)
        case .tripletRange(let counts, let range, let distance):
            guard distance == lossDistance else {
                throw TripletError.invalidParameter(
                    name: "distance", value: "\(lossDistance)",
                    expected:
                        "the miner's distance (\(distance)) for a margin-mined triplet loss with cross-batch memory")
            }
            return (counts, range)
        case .triplets: preconditionFailure("explicit triplets are evaluated directly")
        }
    }
}

extension ContrastiveLoss: CrossBatchLoss, ReferenceLossKernel {
    func validateForReferences() throws {
        guard positiveMargin.isFinite, negativeMargin.isFinite else {
            throw TripletError.invalidParameter(
                name: "margins", value: "\(positiveMargin), \(negativeMargin)", expected: "finite numbers")
        }
    }

    /// Each selected pair (counted as often as selected) costs relu(d' − pm) or relu(nm − d'); the
    /// positive and the negative part are reduced on their own and summed.
    func evaluate(_ selection: ReferenceSelection, _ batch: ReferenceBatch) throws -> LossOutput {
        let counts = try selection.pairCounts(batch), matrix = try batch.matrix(distance)
        let b = batch.rows, m = batch.columns
        let pm = distance.isSimilarity ? -positiveMargin : positiveMargin
        let nm = distance.isSimilarity ? -negativeMargin : negativeMargin
        var parts = [(loss: Double, count: Int, active: Int)](repeating: (0, 0, 0), count: 2)
        var unit = [Float](repeating: 0, count: b * m)  // +1 active positive, −1 active negative, per count
        for a in 0..<b {
            for r in 0..<m where counts[a, r] > 0 {
                let c = Int(counts[a, r]), v = matrix.dissimilarities[a * m + r]
                let positive = batch.referenceLabels[r] == batch.labels[a]
                let loss = positive ? v - pm : nm - v
                let k = positive ? 0 : 1
                parts[k].count += c
                guard loss > 0 else { continue }
                parts[k].active += c
                parts[k].loss += Double(c) * Double(loss)
                unit[a * m + r] = Float(positive ? c : -c)
            }
        }
        let stats = batch.stats(
            matrix, candidates: parts[0].count + parts[1].count, active: parts[0].active + parts[1].active)
        let scales = parts.map { reducer.divisor(candidates: $0.count, active: $0.active).map { 1 / $0 } ?? 0 }
        guard scales[0] > 0 || scales[1] > 0, !Self.atMostOnePairEach(parts[0].count, parts[1].count) else {
            return .zero(like: batch.anchors, stats: stats)
        }
        for k in unit.indices where unit[k] != 0 { unit[k] *= Float(unit[k] > 0 ? scales[0] : scales[1]) }
        return LossOutput(
            value: Float(parts[0].loss * scales[0] + parts[1].loss * scales[1]),
            gradient: matrix.backward(&unit, scale: 1), stats: stats)
    }
}

extension ContrastiveLoss {
    /// PML's pair losses return 0 when the selection holds at most one positive and one negative pair.
    static func atMostOnePairEach(_ positives: Int, _ negatives: Int) -> Bool {
        positives <= 1 && negatives <= 1
    }
}

extension NTXentLoss: CrossBatchLoss, ReferenceLossKernel {
    func validateForReferences() throws {
        try BatchValidation.check("temperature", temperature, atLeast: 0, exclusive: true)
    }

    /// For every selected positive pair (a, p): −log(e^{xₚ} / (e^{xₚ} + Σₙ cₙ·e^{xₙ})), x = −d'/τ, over the
    /// selected negative pairs of a counted cₙ times; reduced over the positive pairs.
    func evaluate(_ selection: ReferenceSelection, _ batch: ReferenceBatch) throws -> LossOutput {
        let counts = try selection.pairCounts(batch), matrix = try batch.matrix(distance)
        let b = batch.rows, m = batch.columns, t = Double(temperature)
        var gradient = [Float](repeating: 0, count: b * m)
        var loss = 0.0, pairs = 0, negativePairs = 0, active = 0
        for a in 0..<b {
            let row = a * m, label = batch.labels[a]
            var top = -Double.infinity, negatives = 0
            for r in 0..<m where counts[a, r] > 0 && batch.referenceLabels[r] != label {
                top = max(top, -Double(matrix.dissimilarities[row + r]) / t)
                negatives += Int(counts[a, r])
            }
            var sum = 0.0
            for r in 0..<m where counts[a, r] > 0 && batch.referenceLabels[r] != label {
                sum += Double(counts[a, r]) * exp(-Double(matrix.dissimilarities[row + r]) / t - top)
            }
            let logNegatives = negatives > 0 ? top + log(sum) : -Double.infinity
            negativePairs += negatives
            var weight = 0.0
            for r in 0..<m where counts[a, r] > 0 && batch.referenceLabels[r] == label {
                let c = Double(counts[a, r])
                pairs += Int(counts[a, r])
                guard negatives > 0 else { continue }
                active += Int(counts[a, r])
                let u = logNegatives + Double(matrix.dissimilarities[row + r]) / t
                loss += c * Softplus.value(u)
                let s = c * Softplus.derivative(u)
                weight += s
                gradient[row + r] += Float(s / t)
            }
            guard weight > 0 else { continue }
            for r in 0..<m where counts[a, r] > 0 && batch.referenceLabels[r] != label {
                let softmax = Double(counts[a, r]) * exp(-Double(matrix.dissimilarities[row + r]) / t - logNegatives)
                gradient[row + r] -= Float(weight * softmax / t)
            }
        }
        let stats = batch.stats(matrix, candidates: pairs, active: active)
        guard pairs > 0, negativePairs > 0, !ContrastiveLoss.atMostOnePairEach(pairs, negativePairs),
            let divisor = reducer.divisor(candidates: pairs, active: active)
        else {
            return .zero(like: batch.anchors, stats: stats)
        }
        return LossOutput(
            value: Float(loss / divisor), gradient: matrix.backward(&gradient, scale: Float(1 / divisor)), stats: stats)
    }
}
