import TripletCore

/// Batch-hard mining (Hermans et al. 2017; PML's `BatchHardMiner`): for every anchor with at least one
/// positive and one negative, the farthest positive and the closest negative (ties: lowest index).
/// The same as `BatchEasyHardMiner(positive: .hard, negative: .hard)`.
public struct BatchHardMiner: TripletMiner {
    /// A batch-hard miner.
    public init() {}

    /// The triplets selected for a batch whose distances and labels are given.
    public func mine(_ distances: DistanceMatrix, labels: [Int]) -> MinedTriplets {
        BatchEasyHardMiner(positive: .hard, negative: .hard).mine(distances, labels: labels)
    }
}
