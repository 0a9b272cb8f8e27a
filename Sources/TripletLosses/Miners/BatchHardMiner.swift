import TripletCore

/// Batch-hard mining (Hermans et al. 2017; PML's `BatchHardMiner`): for every anchor with at least one
/// positive and one negative, the farthest positive and the closest negative (ties: lowest index).
public struct BatchHardMiner: TripletMiner {
    /// A batch-hard miner.
    public init() {}

    /// The triplets selected for a batch whose distances and labels are given.
    public func mine(_ distances: DistanceMatrix, labels: [Int]) -> MinedTriplets {
        .list(BatchExtremes.select(distances, labels: labels, positive: .farthest, negative: .closest))
    }
}

/// PML's `BatchEasyHardMiner` for triplets: per anchor, one positive and one negative chosen by strategy.
///
/// Positive: `.easy` = closest, `.hard` = farthest. Negative: `.easy` = farthest, `.hard` = closest,
/// `.semihard` = the closest negative that is farther than the chosen positive (the anchor is dropped
/// if there is none). Ties go to the lowest index.
public struct BatchEasyHardMiner: TripletMiner {
    /// How the positive is chosen.
    public enum PositiveStrategy: String, Sendable, CaseIterable { case easy, hard }
    /// How the negative is chosen.
    public enum NegativeStrategy: String, Sendable, CaseIterable { case easy, semihard, hard }

    /// The positive strategy.
    public var positiveStrategy: PositiveStrategy
    /// The negative strategy.
    public var negativeStrategy: NegativeStrategy

    /// A miner with PML's defaults: easy positives, semihard negatives.
    public init(positive: PositiveStrategy = .easy, negative: NegativeStrategy = .semihard) {
        positiveStrategy = positive
        negativeStrategy = negative
    }

    /// The triplets selected for a batch whose distances and labels are given.
    public func mine(_ distances: DistanceMatrix, labels: [Int]) -> MinedTriplets {
        let pos: BatchExtremes.Choice = positiveStrategy == .easy ? .closest : .farthest
        let neg: BatchExtremes.Choice
        switch negativeStrategy {
        case .easy: neg = .farthest
        case .hard: neg = .closest
        case .semihard: neg = .closestBeyondPositive
        }
        return .list(BatchExtremes.select(distances, labels: labels, positive: pos, negative: neg))
    }
}

/// The per-anchor extreme selection behind the batch miners, row-parallel in O(B²).
enum BatchExtremes {
    enum Choice { case closest, farthest, closestBeyondPositive }

    static func select(_ d: DistanceMatrix, labels: [Int], positive: Choice, negative: Choice) -> [Triplet] {
        let n = d.count, groups = LabelGroups(labels)
        var chosen = [Triplet?](repeating: nil, count: n)
        d.dissimilarities.withUnsafeBufferPointer { dp in
            groups.classOf.withUnsafeBufferPointer { classes in
                chosen.withUnsafeMutableBufferPointer { out in
                    Parallel.forEachChunk(n, threads: d.threads) { rows in
                        for a in rows {
                            let row = dp.baseAddress! + a * n, label = classes[a]
                            // Strict comparisons keep the lowest index among ties.
                            var p = -1, best: Float = positive == .farthest ? -.infinity : .infinity
                            for m in groups.classmates(of: a) where Int(m) != a {
                                let v = row[Int(m)]
                                if p < 0 || (positive == .farthest ? v > best : v < best) { (p, best) = (Int(m), v) }
                            }
                            guard p >= 0 else { continue }
                            let floor = best
                            var q = -1, extreme: Float = 0
                            switch negative {
                            case .closest, .closestBeyondPositive:
                                let beyond = negative == .closestBeyondPositive
                                extreme = .infinity
                                for j in 0..<n where classes[j] != label {
                                    let v = row[j]
                                    if v < extreme && (!beyond || v > floor) { (q, extreme) = (j, v) }
                                }
                            case .farthest:
                                extreme = -.infinity
                                for j in 0..<n where classes[j] != label {
                                    let v = row[j]
                                    if v > extreme || q < 0 { (q, extreme) = (j, v) }
                                }
                            }
                            if q >= 0 { out[a] = Triplet(a, p, q) }
                        }
                    }
                }
            }
        }
        return chosen.compactMap { $0 }
    }
}
