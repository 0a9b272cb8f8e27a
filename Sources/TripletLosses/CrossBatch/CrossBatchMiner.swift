import TripletCore

/// A miner that cross-batch memory can run between a batch's anchors and the memory's references:
/// `TripletMarginMiner`, `BatchHardMiner` and `MultiSimilarityMiner`. Each mines with pytorch-metric-learning's
/// default distance for it (Euclidean on normalised rows; cosine for multi-similarity), as `CrossBatchMemory`
/// in PML does when the miner is built with its defaults.
public protocol CrossBatchMiner: Sendable {
    /// The comparison the miner mines with.
    var referenceDistance: Distance { get }
    /// Throws when an option is out of range.
    func validate() throws
}

/// The mining step itself, for the miners of this module.
protocol ReferenceMining: CrossBatchMiner {
    /// The selection over `batch`, each anchor's own slot already removed.
    func mineReferences(_ batch: ReferenceBatch) throws -> ReferenceSelection
}

extension TripletMarginMiner: CrossBatchMiner, ReferenceMining {
    /// Euclidean distance on normalised rows (PML's default for this miner).
    public var referenceDistance: Distance { .euclidean() }

    func mineReferences(_ batch: ReferenceBatch) throws -> ReferenceSelection {
        .tripletRange(batch.allPairs(), range, distance: referenceDistance)
    }
}

extension BatchHardMiner: CrossBatchMiner, ReferenceMining {
    /// Euclidean distance on normalised rows (PML's default for this miner).
    public var referenceDistance: Distance { .euclidean() }

    /// Per anchor the farthest positive reference and the closest negative one (ties: lowest slot); the
    /// anchor's own slot counts while mining and its triplet is dropped afterwards, as PML does.
    func mineReferences(_ batch: ReferenceBatch) throws -> ReferenceSelection {
        let matrix = try batch.matrix(referenceDistance), m = batch.columns
        var triplets: [Triplet] = []
        for a in 0..<batch.rows {
            var positive = -1, negative = -1
            for r in 0..<m {
                let v = matrix.dissimilarities[a * m + r]
                if batch.referenceLabels[r] == batch.labels[a] {
                    if positive < 0 || v > matrix.dissimilarities[a * m + positive] { positive = r }
                } else if negative < 0 || v < matrix.dissimilarities[a * m + negative] {
                    negative = r
                }
            }
            if positive >= 0, negative >= 0, positive != batch.selfSlots[a] {
                triplets.append(Triplet(a, positive, negative))
            }
        }
        return .triplets(triplets)
    }
}

extension MultiSimilarityMiner: CrossBatchMiner, ReferenceMining {
    /// Cosine similarity (PML's default for this miner).
    public var referenceDistance: Distance { .cosine }

    /// Throws for a non-finite epsilon.
    public func validate() throws {
        guard epsilon.isFinite else {
            throw TripletError.invalidParameter(name: "epsilon", value: "\(epsilon)", expected: "a finite number")
        }
    }

    /// PML's rule against the references (the anchor's own slot included while mining, its positive pair
    /// dropped afterwards).
    func mineReferences(_ batch: ReferenceBatch) throws -> ReferenceSelection {
        let matrix = try batch.matrix(referenceDistance), m = batch.columns
        var counts = PairCounts(rows: batch.rows, columns: m)
        for a in 0..<batch.rows {
            var hardestPositive = -Float.infinity, hardestNegative = Float.infinity
            for r in 0..<m {
                let v = matrix.dissimilarities[a * m + r]
                if batch.referenceLabels[r] == batch.labels[a] {
                    hardestPositive = max(hardestPositive, v)
                } else {
                    hardestNegative = min(hardestNegative, v)
                }
            }
            guard hardestPositive > -.infinity, hardestNegative < .infinity else { continue }
            for r in 0..<m {
                let v = matrix.dissimilarities[a * m + r]
                if batch.referenceLabels[r] == batch.labels[a] {
                    if r != batch.selfSlots[a] && v + epsilon > hardestNegative { counts[a, r] = 1 }
                } else if v - epsilon < hardestPositive {
                    counts[a, r] = 1
                }
            }
        }
        return .pairs(counts)
    }
}
