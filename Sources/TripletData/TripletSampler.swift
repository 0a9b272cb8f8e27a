import TripletCore

/// Batches of explicit (anchor, positive, negative) triplets for learning from relative comparisons
/// without class labels: each epoch visits every triplet once, in an order drawn from (seed, epoch)
/// alone; a batch holds `tripletsPerBatch` triplets, its samples listed once each, and the triplets
/// rewritten as positions in that list.
///
/// ```swift
/// let sampler = try TripletSampler(triplets: [(0, 1, 2), (3, 1, 0)], tripletsPerBatch: 128, seed: 7)
/// for batch in sampler.batches(epoch: 0) { /* embed inputs.rows(batch.samples), loss on batch.triplets */ }
/// ```
public struct TripletSampler: Sendable {
    /// One comparison: the anchor is closer to the positive than to the negative (sample indices).
    public typealias Comparison = (anchor: Int, positive: Int, negative: Int)

    /// The triplets, as sample indices.
    public let triplets: [Comparison]
    /// Triplets in each batch (the last one may have fewer).
    public let tripletsPerBatch: Int
    /// Seed of the order.
    public let seed: UInt64

    /// A sampler; throws for an empty list, a batch size below 1, or a triplet whose anchor equals its
    /// positive or negative.
    public init(triplets: [Comparison], tripletsPerBatch: Int, seed: UInt64) throws {
        guard !triplets.isEmpty else {
            throw TripletError.invalidParameter(
                name: "triplets", value: "an empty list", expected: "at least one (anchor, positive, negative)")
        }
        guard tripletsPerBatch >= 1 else {
            throw TripletError.invalidParameter(
                name: "tripletsPerBatch", value: "\(tripletsPerBatch)", expected: "at least 1")
        }
        if let bad = triplets.first(where: { $0.anchor == $0.positive || $0.anchor == $0.negative || $0.anchor < 0 }) {
            throw TripletError.invalidParameter(
                name: "triplet", value: "\(bad)", expected: "an anchor different from its positive and negative")
        }
        (self.triplets, self.tripletsPerBatch, self.seed) = (triplets, tripletsPerBatch, seed)
    }

    /// The number of batches in each epoch.
    public var batchesPerEpoch: Int { (triplets.count + tripletsPerBatch - 1) / tripletsPerBatch }

    /// The batches of `epoch`: each batch's distinct samples (in first-use order) and its triplets as
    /// positions among them.
    public func batches(epoch: Int) -> [(samples: [Int], triplets: [Comparison])] {
        var random = SeededGenerator.forEpoch(epoch, seed: seed)
        var order = Array(triplets.indices)
        random.shuffle(&order)
        return stride(from: 0, to: order.count, by: tripletsPerBatch).map { start in
            Self.compact(order[start..<min(start + tripletsPerBatch, order.count)].map { triplets[$0] })
        }
    }

    /// The distinct samples of `triplets` in first-use order, and the triplets as positions among them.
    public static func compact(_ triplets: [Comparison]) -> (samples: [Int], triplets: [Comparison]) {
        var position: [Int: Int] = [:]
        var samples: [Int] = []
        func slot(_ sample: Int) -> Int {
            if let p = position[sample] { return p }
            position[sample] = samples.count
            samples.append(sample)
            return samples.count - 1
        }
        let rewritten = triplets.map {
            (anchor: slot($0.anchor), positive: slot($0.positive), negative: slot($0.negative))
        }
        return (samples, rewritten)
    }
}
