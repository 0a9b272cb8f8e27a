import TripletCore

/// The pairs a pair miner selects.
public struct MinedPairs: Sendable, Equatable {
    /// Positive pairs (i ≠ j, same label).
    public var positives: [Pair]
    /// Negative pairs (different labels).
    public var negatives: [Pair]
}

/// Chooses the positive and negative pairs of a batch that a pair loss should use.
public protocol PairMiner: Sendable {
    /// The selection for a batch whose distances and labels are given.
    func minePairs(_ distances: DistanceMatrix, labels: [Int]) -> MinedPairs
}

extension PairMiner {
    /// The pairs selected for a batch, sorted — for inspection and tests.
    public func pairs(embeddings: Tensor, labels: [Int], distance: Distance = .cosine) throws -> MinedPairs {
        try BatchValidation.check(embeddings, labels: labels)
        let selected = minePairs(try DistanceMatrix(embeddings: embeddings, distance: distance), labels: labels)
        return MinedPairs(positives: selected.positives.sorted(), negatives: selected.negatives.sorted())
    }
}

/// Multi-similarity mining (Wang et al. 2019; PML's `MultiSimilarityMiner`), in dissimilarity form
/// d' (distance, or −similarity): a positive pair (a, p) is kept when d'(a, p) + ε > minₙ d'(a, n), a negative
/// pair (a, n) when d'(a, n) − ε < maxₚ d'(a, p). Anchors without a positive or a negative keep nothing.
public struct MultiSimilarityMiner: PairMiner {
    /// The slack ε (PML default 0.1).
    public var epsilon: Float

    /// A miner with slack `epsilon`.
    public init(epsilon: Float = 0.1) { self.epsilon = epsilon }

    /// The pairs selected for a batch whose distances and labels are given.
    public func minePairs(_ distances: DistanceMatrix, labels: [Int]) -> MinedPairs {
        let n = distances.count
        var result = MinedPairs(positives: [], negatives: [])
        distances.dissimilarities.withUnsafeBufferPointer { d in
            for a in 0..<n {
                let row = d.baseAddress! + a * n, label = labels[a]
                var hardestPositive = -Float.infinity, hardestNegative = Float.infinity
                for j in 0..<n where j != a {
                    if labels[j] == label {
                        hardestPositive = max(hardestPositive, row[j])
                    } else {
                        hardestNegative = min(hardestNegative, row[j])
                    }
                }
                guard hardestPositive > -.infinity, hardestNegative < .infinity else { continue }
                for j in 0..<n where j != a {
                    if labels[j] == label {
                        if row[j] + epsilon > hardestNegative { result.positives.append(Pair(a, j)) }
                    } else if row[j] - epsilon < hardestPositive {
                        result.negatives.append(Pair(a, j))
                    }
                }
            }
        }
        return result
    }
}
