import Foundation
import TripletCore

/// Cross-batch memory (Wang et al., "Cross-Batch Memory for Embedding Learning", CVPR 2020) with
/// pytorch-metric-learning's `CrossBatchMemory` semantics: a FIFO ring of the last `memorySize` embeddings
/// and labels. Each call writes the batch into the ring (overwriting the oldest rows), then mines and
/// evaluates the loss with the batch's rows as anchors against every filled ring row as references; an
/// anchor is never paired with its own slot, and references carry no gradient, so the gradient reaches
/// the batch through its anchor role only. Memory is O(B·M): no triplet list is built.
///
/// ```swift
/// let xbm = try CrossBatchMemory(
///     loss: TripletMarginLoss(margin: 0.2), miner: TripletMarginMiner(margin: 0.2, type: .semihard),
///     memorySize: 4096)
/// let out = try xbm(embeddings, labels: labels)   // then step; the next call sees this batch too
/// ```
///
/// The memory is state: use one instance per training run, and call `reset()` to empty it.
public final class CrossBatchMemory: EmbeddingLoss, @unchecked Sendable {
    /// The loss evaluated against the memory.
    public let loss: any CrossBatchLoss
    /// The miner, or `nil` for every pair (and, for a triplet loss, every triplet).
    public let miner: (any CrossBatchMiner)?
    /// M, the ring's capacity.
    public let memorySize: Int
    /// Threads for the distance products.
    public var threads: Int

    let kernel: any ReferenceLossKernel
    let mining: (any ReferenceMining)?
    private let lock = NSLock()
    private var embeddings: [Float] = []
    private var labels: [Int] = []
    private var width = 0
    private var queueIndex = 0
    private var filled = false

    /// A memory of `memorySize` rows around `loss`, mined by `miner`. The loss must not have a miner of its
    /// own: give it to the memory instead.
    public init(
        loss: any CrossBatchLoss, miner: (any CrossBatchMiner)? = nil, memorySize: Int,
        threads: Int = Parallel.defaultThreads
    ) throws {
        guard memorySize >= 1 else {
            throw TripletError.invalidParameter(
                name: "memory size", value: "\(memorySize)", expected: "at least 1 (and at least the batch size)")
        }
        guard let kernel = loss as? any ReferenceLossKernel else {
            throw TripletError.invalidParameter(
                name: "loss", value: "\(type(of: loss))",
                expected: "TripletMarginLoss, ContrastiveLoss or NTXentLoss with cross-batch memory")
        }
        let mining = try miner.map { miner -> any ReferenceMining in
            guard let mining = miner as? any ReferenceMining else {
                throw TripletError.invalidParameter(
                    name: "miner", value: "\(type(of: miner))",
                    expected: "TripletMarginMiner, BatchHardMiner or MultiSimilarityMiner with cross-batch memory")
            }
            try mining.validate()
            return mining
        }
        if (loss as? TripletMarginLoss)?.miner != nil || (loss as? ContrastiveLoss)?.miner != nil {
            throw TripletError.invalidParameter(
                name: "loss miner", value: "set on the loss",
                expected: "no miner on the loss: pass it to CrossBatchMemory(loss:miner:memorySize:)")
        }
        try kernel.validateForReferences()
        self.loss = loss
        self.miner = miner
        self.kernel = kernel
        self.mining = mining
        self.memorySize = memorySize
        self.threads = threads
    }

    /// The number of filled rows.
    public var count: Int {
        lock.withLock { filled ? memorySize : queueIndex }
    }

    /// Empties the memory.
    public func reset() {
        lock.withLock {
            embeddings = []
            labels = []
            width = 0
            queueIndex = 0
            filled = false
        }
    }

    /// The ring as tensors, for checkpoints: "embeddings" [M, D], "labels" [M] (Int32 bit patterns) and
    /// "position" [2] (the next slot and whether the ring has wrapped); empty before the first batch.
    public var state: [(name: String, value: Tensor)] {
        lock.withLock {
            guard width > 0,
                let rows = try? Tensor(shape: [memorySize, width], scalars: embeddings),
                let codes = try? Tensor(
                    shape: [memorySize], scalars: labels.map { Float(bitPattern: UInt32(truncatingIfNeeded: $0)) }),
                let position = try? Tensor(shape: [2], scalars: [Float(queueIndex), filled ? 1 : 0])
            else { return [] }
            return [("embeddings", rows), ("labels", codes), ("position", position)]
        }
    }

    /// Restores a ring saved by `state` (an empty state empties the memory).
    public func restore(_ saved: [(String, Tensor)]) throws {
        let parts = Dictionary(saved, uniquingKeysWith: { first, _ in first })
        guard !saved.isEmpty else { return reset() }
        guard let rows = parts["embeddings"], rows.shape.count == 2, rows.shape[0] == memorySize, rows.shape[1] > 0,
            let codes = parts["labels"], codes.shape == [memorySize],
            let position = parts["position"], position.shape == [2],
            let next = Int(exactly: position.scalars[0]), (0..<memorySize).contains(next),
            position.scalars[1] == 0 || position.scalars[1] == 1
        else {
            throw TripletError.invalidParameter(
                name: "memory state", value: "of another shape",
                expected: "embeddings [\(memorySize), D], labels [\(memorySize)] and position [2] of this memory size")
        }
        lock.withLock {
            width = rows.shape[1]
            embeddings = rows.scalars
            labels = codes.scalars.map { Int(Int32(bitPattern: $0.bitPattern)) }
            queueIndex = next
            filled = position.scalars[1] == 1
        }
    }

    /// Writes the batch into the memory, then evaluates the loss of its rows against the memory.
    public func callAsFunction(_ batch: Tensor, labels batchLabels: [Int]) throws -> LossOutput {
        try step(batch, labels: batchLabels).output
    }

    /// One step, with what was mined (for inspection and tests).
    func step(
        _ batch: Tensor, labels batchLabels: [Int]
    ) throws -> (output: LossOutput, selection: ReferenceSelection, batch: ReferenceBatch) {
        try BatchValidation.check(batch, labels: batchLabels)
        return try lock.withLock {
            let b = batch.rowCount, d = batch.rowWidth
            guard b <= memorySize else {
                throw TripletError.invalidParameter(
                    name: "batch size", value: "\(b)", expected: "at most the memory size \(memorySize)")
            }
            if width == 0 {
                width = d
                embeddings = [Float](repeating: 0, count: memorySize * d)
                labels = [Int](repeating: 0, count: memorySize)
            }
            guard d == width else {
                throw TripletError.invalidParameter(
                    name: "embedding width", value: "\(d)",
                    expected: "\(width), the width of the embeddings already in the memory (reset() to change it)")
            }
            let slots = enqueue(batch, batchLabels)
            let rows = filled ? memorySize : queueIndex
            let references = try Tensor(shape: [rows, d], scalars: Array(embeddings[0..<rows * d]))
            let step = ReferenceBatch(
                anchors: batch, labels: batchLabels, references: references, referenceLabels: Array(labels[0..<rows]),
                selfSlots: slots, threads: threads)
            let selection = try mining?.mineReferences(step) ?? .pairs(step.allPairs())
            return (try kernel.evaluate(selection, step), selection, step)
        }
    }

    /// Writes the rows at queueIndex, queueIndex + 1, … (mod M) and returns their slots.
    private func enqueue(_ batch: Tensor, _ batchLabels: [Int]) -> [Int] {
        let d = width
        var slots: [Int] = []
        batch.scalars.withUnsafeBufferPointer { src in
            embeddings.withUnsafeMutableBufferPointer { dst in
                for (i, label) in batchLabels.enumerated() {
                    let slot = (queueIndex + i) % memorySize
                    (dst.baseAddress! + slot * d).update(from: src.baseAddress! + i * d, count: d)
                    labels[slot] = label
                    slots.append(slot)
                }
            }
        }
        let previous = queueIndex
        queueIndex = (queueIndex + batchLabels.count) % memorySize
        if !filled && queueIndex <= previous { filled = true }
        return slots
    }
}
