import TripletCore

/// PML's `BatchEasyHardMiner`: per anchor, positives and negatives chosen by strategy, in dissimilarity
/// terms (d' = distance, or −similarity; ties go to the lowest index):
///
/// | strategy | positive | negative |
/// |---|---|---|
/// | `.easy` | the closest | the farthest |
/// | `.hard` | the farthest | the closest |
/// | `.semihard` | the farthest one closer than the chosen negative | the closest one farther than the chosen positive |
/// | `.all` | every positive | every negative |
///
/// An anchor is kept when each chosen side exists; its triplets pair its chosen (or all) positives with its
/// chosen (or all) negatives. `allowedPositiveRange` / `allowedNegativeRange` restrict the candidates of a
/// chosen side by their raw distance (or similarity), as PML's `allowed_pos_range` / `allowed_neg_range`.
public struct BatchEasyHardMiner: TripletMiner {
    /// How one side is chosen.
    public enum Strategy: String, Sendable, CaseIterable {
        /// The easiest: closest positive, farthest negative.
        case easy
        /// Relative to the other side's choice (see the type's table).
        case semihard
        /// The hardest: farthest positive, closest negative.
        case hard
        /// Every candidate.
        case all
    }

    /// The positive strategy.
    public var positiveStrategy: Strategy
    /// The negative strategy.
    public var negativeStrategy: Strategy
    /// Raw values a chosen positive may have (`nil`: any).
    public var allowedPositiveRange: ClosedRange<Float>?
    /// Raw values a chosen negative may have (`nil`: any).
    public var allowedNegativeRange: ClosedRange<Float>?

    /// A miner with PML's defaults: easy positives, semihard negatives.
    public init(
        positive: Strategy = .easy, negative: Strategy = .semihard,
        allowedPositiveRange: ClosedRange<Float>? = nil, allowedNegativeRange: ClosedRange<Float>? = nil
    ) {
        positiveStrategy = positive
        negativeStrategy = negative
        self.allowedPositiveRange = allowedPositiveRange
        self.allowedNegativeRange = allowedNegativeRange
    }

    /// Throws for PML's forbidden combinations: both sides semihard, or semihard with all.
    public func validate() throws {
        let pair = "\(positiveStrategy.rawValue)/\(negativeStrategy.rawValue)"
        if positiveStrategy == .semihard && negativeStrategy == .semihard {
            throw TripletError.invalidParameter(
                name: "strategies", value: pair, expected: "at most one side semihard")
        }
        if Set([positiveStrategy, negativeStrategy]) == [.semihard, .all] {
            throw TripletError.invalidParameter(
                name: "strategies", value: pair, expected: "semihard combined with easy or hard, not all")
        }
    }

    /// The triplets selected for a batch whose distances and labels are given.
    public func mine(_ distances: DistanceMatrix, labels: [Int]) -> MinedTriplets {
        let n = distances.count, groups = LabelGroups(labels)
        let sign: Float = distances.distance.isSimilarity ? -1 : 1
        var perAnchor = [[Triplet]](repeating: [], count: n)
        distances.dissimilarities.withUnsafeBufferPointer { dp in
            groups.classOf.withUnsafeBufferPointer { classes in
                perAnchor.withUnsafeMutableBufferPointer { out in
                    Parallel.forEachChunk(n, threads: distances.threads) { anchors in
                        for a in anchors {
                            let row = dp.baseAddress! + a * n, classmates = groups.classmates(of: a)
                            let positives = Candidates(
                                anchor: a, classmates: classmates, classes: classes, positive: true)
                            let negatives = Candidates(
                                anchor: a, classmates: classmates, classes: classes, positive: false)
                            // The side a semihard choice depends on is chosen first.
                            var p: Int?, q: Int?
                            if positiveStrategy == .semihard {
                                q = pick(
                                    negatives, row, negativeStrategy, positive: false, range: allowedNegativeRange, sign
                                )
                                guard let q else { continue }
                                p = pick(
                                    positives, row, .semihard, positive: true, range: allowedPositiveRange, sign,
                                    beyond: row[q])
                            } else {
                                p = pick(
                                    positives, row, positiveStrategy, positive: true, range: allowedPositiveRange, sign)
                                let floor = p.map { row[$0] }
                                q = pick(
                                    negatives, row, negativeStrategy, positive: false, range: allowedNegativeRange,
                                    sign, beyond: floor)
                            }
                            guard positiveStrategy == .all || p != nil, negativeStrategy == .all || q != nil else {
                                continue
                            }
                            let ps = positiveStrategy == .all ? positives.all : [p!]
                            let qs = negativeStrategy == .all ? negatives.all : [q!]
                            out[a] = ps.flatMap { p in qs.map { Triplet(a, p, $0) } }
                        }
                    }
                }
            }
        }
        return .list(perAnchor.flatMap { $0 })
    }

    /// The chosen index among `candidates` (nil for `.all` or when none qualifies). A semihard positive must
    /// be closer than `beyond`, a semihard negative farther.
    @inline(__always)
    private func pick(
        _ candidates: Candidates, _ row: UnsafePointer<Float>, _ strategy: Strategy, positive: Bool,
        range: ClosedRange<Float>?, _ sign: Float, beyond: Float? = nil
    ) -> Int? {
        guard strategy != .all else { return nil }
        // Positives: easy = closest, hard and semihard = farthest; negatives the other way round.
        let farthest = positive ? strategy != .easy : strategy == .easy
        var best = -1, bestValue: Float = 0
        if range == nil && strategy != .semihard {
            // The common case (batch-hard, easy-hard) without the per-candidate checks.
            candidates.forEach { j in
                let v = row[j]
                if best < 0 || (farthest ? v > bestValue : v < bestValue) { (best, bestValue) = (j, v) }
            }
            return best < 0 ? nil : best
        }
        candidates.forEach { j in
            let v = row[j]
            if let range, !range.contains(sign * v) { return }
            if strategy == .semihard, let beyond, positive ? !(v < beyond) : !(v > beyond) { return }
            if best < 0 || (farthest ? v > bestValue : v < bestValue) { (best, bestValue) = (j, v) }
        }
        return best < 0 ? nil : best
    }
}

/// The positives (classmates but the anchor) or the negatives (other classes) of one anchor, in index order.
private struct Candidates {
    let anchor: Int
    let classmates: ArraySlice<Int32>
    let classes: UnsafeBufferPointer<Int32>
    let positive: Bool

    @inline(__always)
    func forEach(_ body: (Int) -> Void) {
        if positive {
            for m in classmates where Int(m) != anchor { body(Int(m)) }
        } else {
            let label = classes[anchor]
            for j in 0..<classes.count where classes[j] != label { body(j) }
        }
    }

    var all: [Int] {
        var out: [Int] = []
        forEach { out.append($0) }
        return out
    }
}
