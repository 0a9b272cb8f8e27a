import Foundation
import TripletCore
import TripletData
import TripletLosses

/// Learning from relative comparisons: a file of (anchor, positive, negative) triplets — sample indices or
/// file names of the data source — instead of class labels. A share of the triplets, drawn from the seed,
/// is held out, and the run reports the share of those the embedding orders correctly.
public struct TripletTraining: Codable, Equatable, Sendable {
    /// The triplet file (`TripletList`'s format: `anchor,positive,negative` per line).
    public var file: String
    /// The share of triplets held out for evaluation, in [0, 1).
    public var heldOut: Double
    /// Triplets in each training batch.
    public var tripletsPerBatch: Int

    /// Triplets from `file`, `heldOut` of them kept for evaluation.
    public init(file: String, heldOut: Double = 0.1, tripletsPerBatch: Int = 128) {
        self.file = file
        self.heldOut = heldOut
        self.tripletsPerBatch = tripletsPerBatch
    }

    /// How many of `total` triplets are held out.
    func heldOutCount(of total: Int) -> Int { Int((Double(total) * heldOut).rounded()) }

    /// The training triplets and the evaluation of the held-out ones, for `data`'s training samples (named by
    /// `data.files` when the file uses names).
    func split(data: TrainingData, seed: UInt64) throws -> ([TripletSampler.Comparison], TrainingEvaluation?) {
        guard heldOut >= 0, heldOut < 1, heldOut.isFinite else {
            throw TripletError.invalidParameter(name: "heldOut", value: "\(heldOut)", expected: "a share in [0, 1)")
        }
        let all = try TripletList.read(
            contentsOf: URL(fileURLWithPath: file), sampleCount: data.train.count,
            files: data.files.isEmpty ? nil : data.files)
        var order = Array(all.indices)
        var random = SeededGenerator(seed: seed)
        random.shuffle(&order)
        let count = heldOutCount(of: all.count)
        guard count < all.count else {
            throw TripletError.invalidParameter(
                name: "heldOut", value: "\(heldOut) of \(all.count) triplets",
                expected: "some triplets left to train on")
        }
        let train = order.dropFirst(count).sorted().map { all[$0] }
        guard count > 0 else { return (train, nil) }
        // Embed only the samples the held-out triplets use.
        let held = TripletSampler.compact(order.prefix(count).sorted().map { all[$0] })
        return (
            train,
            .triplets(
                inputs: try data.train.inputs.rows(held.samples),
                triplets: held.triplets.map { Triplet($0.anchor, $0.positive, $0.negative) })
        )
    }
}
