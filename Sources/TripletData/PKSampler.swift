import TripletCore

/// P×K batches for metric learning: each batch holds `classesPerBatch` (P) distinct classes with
/// `samplesPerClass` (K) samples each, so that every anchor has K − 1 positives and (P − 1)·K negatives.
///
/// ```swift
/// let sampler = try PKSampler(labels: train.labels, classesPerBatch: 8, samplesPerClass: 4, seed: 42)
/// for batch in sampler.batches(epoch: epoch) {   // [[Int]]: sample indices, P·K each
///     let x = try train.subset(batch)
/// }
/// ```
///
/// **The rule.** An epoch is a function of (seed, epoch) only, so a resumed run replays the same epoch.
/// 1. Each class's samples are shuffled and cut into chunks of K. A last short chunk — or the single
///    chunk of a class with fewer than K samples — is topped up with other samples of the same class drawn
///    at random (without repeating a sample inside the chunk while the class has enough samples).
/// 2. Each batch takes one chunk from each of the P classes with the most chunks left, ties broken at
///    random. This spreads large classes over the epoch and gives the fewest batches possible:
///    `batchesPerEpoch = max(⌈chunks / P⌉, most chunks of one class)`.
/// 3. When fewer than P classes have chunks left (the end of an epoch, or a class much larger than the
///    rest), the batch is completed with K random samples from each of as many other classes, chosen at
///    random: those are repeats.
///
/// So every sample appears at least once per epoch, exactly once unless it is a top-up or a completion,
/// and every batch has exactly P classes with exactly K samples each (P·K indices, grouped by class).
///
/// Triplet losses need K ≥ 2 for positive pairs; K = 1 is accepted (for pair losses across classes).
/// A class with one sample repeats it K times: a positive pair at distance zero.
public struct PKSampler: Sendable {
    /// P: the number of classes in each batch.
    public let classesPerBatch: Int
    /// K: the number of samples of each class in each batch.
    public let samplesPerClass: Int
    /// The seed that, with the epoch number, fixes every batch.
    public let seed: UInt64
    /// The distinct labels, ascending.
    public let classes: [Int]
    /// The number of batches in every epoch.
    public let batchesPerEpoch: Int
    /// The sample indices of each class, in the order of `classes`.
    private let members: [[Int]]

    /// A sampler over `labels` (one per sample, indexed as the dataset is). Throws
    /// `TripletError.invalidParameter` unless the labels hold at least two classes, 2 ≤ P ≤ the number of
    /// classes, and K ≥ 1.
    public init(labels: [Int], classesPerBatch: Int, samplesPerClass: Int, seed: UInt64) throws {
        guard samplesPerClass >= 1 else {
            throw TripletError.invalidParameter(
                name: "samplesPerClass", value: "\(samplesPerClass)", expected: "K >= 1 (K >= 2 for triplets)")
        }
        var byClass: [Int: [Int]] = [:]
        for (index, label) in labels.enumerated() { byClass[label, default: []].append(index) }
        guard byClass.count >= 2 else {
            throw TripletError.invalidParameter(
                name: "labels", value: "with \(byClass.count) class\(byClass.count == 1 ? "" : "es")",
                expected: "at least 2 classes for P×K batches")
        }
        guard (2...byClass.count).contains(classesPerBatch) else {
            throw TripletError.invalidParameter(
                name: "classesPerBatch", value: "\(classesPerBatch)",
                expected: "P in 2...\(byClass.count) (the number of classes in the labels)")
        }
        self.classesPerBatch = classesPerBatch
        self.samplesPerClass = samplesPerClass
        self.seed = seed
        classes = byClass.keys.sorted()
        members = classes.map { byClass[$0] ?? [] }
        let chunks = members.map { ($0.count + samplesPerClass - 1) / samplesPerClass }
        let total = chunks.reduce(0, +)
        batchesPerEpoch = max((total + classesPerBatch - 1) / classesPerBatch, chunks.max() ?? 0)
    }

    /// P·K: the number of indices in each batch.
    public var batchSize: Int { classesPerBatch * samplesPerClass }

    /// The batches of one epoch, `batchesPerEpoch` of them, each P·K sample indices grouped by class.
    /// The same seed and epoch always give the same batches.
    ///
    /// With `companions` (for each class, in the order of `classes`, the positions of the classes most
    /// confused with it, most confused first), every batch after its first class takes that class's
    /// companions that still have chunks left before falling back to rule 2: confusable classes meet in
    /// the same batch (hard-class sampling). Every chunk is still used once, so the rule's coverage holds;
    /// an epoch may take a few more batches than `batchesPerEpoch`.
    public func batches(epoch: Int, companions: [[Int]]? = nil) -> [[Int]] {
        var random = SeededGenerator.forEpoch(epoch, seed: seed)
        let k = samplesPerClass
        // 1. Chunks of K per class, the last one topped up.
        let chunks: [[[Int]]] = members.map { samples in
            var order = samples
            random.shuffle(&order)
            var pieces = stride(from: 0, to: order.count, by: k).map { Array(order[$0..<min($0 + k, order.count)]) }
            let last = pieces.count - 1
            if pieces[last].count < k {
                // Samples outside the last chunk when there are enough of them, the whole class otherwise.
                let others = Array(order[..<(last * k)])
                pieces[last] += draw(k - pieces[last].count, from: others.count >= k ? others : order, &random)
            }
            return pieces
        }
        // 2. Buckets of classes by chunks left; each batch takes from the fullest buckets.
        var left = chunks.map(\.count)
        var buckets = [[Int]](repeating: [], count: (left.max() ?? 0) + 1)
        for (c, n) in left.enumerated() { buckets[n].append(c) }
        var top = buckets.count - 1
        var result: [[Int]] = []
        result.reserveCapacity(batchesPerEpoch)
        while top > 0 {
            var picked: [Int] = []
            var level = top
            while picked.count < classesPerBatch, level > 0 {
                if buckets[level].isEmpty {
                    level -= 1
                    continue
                }
                let slot = random.below(buckets[level].count)
                buckets[level].swapAt(slot, buckets[level].count - 1)
                picked.append(buckets[level].removeLast())
                if picked.count == 1, let companions, picked[0] < companions.count {
                    for c in companions[picked[0]]
                    where picked.count < classesPerBatch && left.indices.contains(c) && left[c] > 0 {
                        guard let at = buckets[left[c]].firstIndex(of: c) else { continue }
                        buckets[left[c]].remove(at: at)
                        picked.append(c)
                    }
                }
            }
            var batch: [Int] = []
            batch.reserveCapacity(batchSize)
            for c in picked {
                batch += chunks[c][chunks[c].count - left[c]]
                left[c] -= 1
                if left[c] > 0 { buckets[left[c]].append(c) }
            }
            // 3. Complete a short batch with random samples of other classes.
            if picked.count < classesPerBatch {
                var others = (0..<classes.count).filter { !picked.contains($0) }
                random.shuffle(&others)
                for c in others.prefix(classesPerBatch - picked.count) {
                    batch += draw(k, from: members[c], &random)
                }
            }
            result.append(batch)
            while top > 0, buckets[top].isEmpty { top -= 1 }
        }
        return result
    }

    /// `count` samples drawn at random from `pool`: without repetition while the pool lasts, then again.
    private func draw(_ count: Int, from pool: [Int], _ random: inout SeededGenerator) -> [Int] {
        var drawn: [Int] = []
        while drawn.count < count {
            var order = pool
            random.shuffle(&order)
            drawn += order.prefix(count - drawn.count)
        }
        return drawn
    }
}
