import Foundation
import TripletCore
import TripletData
import TripletLosses
import TripletNetworks

/// One training step's samples and what its loss needs of them.
public struct TrainingBatch: Sendable {
    /// Rows of the training inputs, in batch order.
    public var samples: [Int]
    /// Their labels, for a labelled objective (empty otherwise).
    public var labels: [Int]
    /// Triplets of positions in `samples`, for an explicit-triplet objective (empty otherwise).
    public var triplets: [Triplet]
}

/// What a `Trainer` optimises: the batches of each epoch and the loss of a batch's embeddings. Labelled
/// P×K batches with any `EmbeddingLoss` (`LabelledObjective`) and explicit triplets without labels
/// (`TripletObjective`) ship with TripletKit; conform your own type for anything else.
public protocol TrainingObjective {
    /// The batches of `epoch` (1-based); the same epoch always gives the same batches.
    func batches(epoch: Int) -> [TrainingBatch]
    /// The loss and its gradient for the embeddings of `batch.samples`; gradients of `parameters` are
    /// accumulated.
    func loss(_ embeddings: Tensor, batch: TrainingBatch) throws -> LossOutput
    /// Parameters of the objective itself (a classification head), trained and checkpointed with the
    /// network's but not part of the embedding model; names must not start with "layers.".
    var parameters: [(name: String, parameter: Parameter)] { get }
    /// Called before `batches(epoch:)` with the network as it is then (hard-class mining re-embeds the
    /// training set here); the same weights give the same preparation, so resumed runs replay it.
    func prepare(epoch: Int, network: Sequential, inputs: Tensor, threads: Int) throws
    /// State of the objective that is not trained but must survive a resume (cross-batch memory's ring).
    var buffers: [(name: String, value: Tensor)] { get }
    /// Restores `buffers` from a checkpoint.
    func loadBuffers(_ saved: [(String, Tensor)]) throws
}

extension TrainingObjective {
    /// Nothing to prepare.
    public func prepare(epoch: Int, network: Sequential, inputs: Tensor, threads: Int) throws {}
    /// None.
    public var buffers: [(name: String, value: Tensor)] { [] }
    /// Accepts only a checkpoint without buffers.
    public func loadBuffers(_ saved: [(String, Tensor)]) throws {
        guard saved.isEmpty else {
            throw TripletError.invalidParameter(
                name: "resume", value: "a checkpoint with \(saved.count) loss buffer(s)",
                expected: "none, as the run being resumed (the same loss, without cross-batch memory)")
        }
    }

    /// None: the loss has no parameters of its own.
    public var parameters: [(name: String, parameter: Parameter)] { [] }
}

/// Labelled training: P×K batches (P classes, K samples each) scored by a loss over labels, plus the
/// weighted cross-entropy of a `ClassifierHead` when there is one (triplet + cross-entropy).
public struct LabelledObjective: TrainingObjective {
    /// Draws the batches.
    public let sampler: PKSampler
    /// The label of every training sample.
    public let labels: [Int]
    /// The loss (with its miner).
    public let loss: any EmbeddingLoss
    /// The classification head trained beside the embedding (nil: the metric loss alone).
    public let classifier: ClassifierHead?
    /// Global hard-class mining before each epoch (nil: plain P×K batches).
    public let hardClasses: HardClassMining?
    /// The companions of the last hard-class mining.
    private let companions = CompanionTable()

    /// P×K batches of `labels` as `options` asks (batch size, samples per class, seed), scored by `loss`
    /// plus `classifier`'s weighted cross-entropy; throws when the labels cannot fill such batches (fewer
    /// than two classes, for one).
    public init(
        labels: [Int], loss: any EmbeddingLoss, options: TrainingOptions, classifier: ClassifierHead? = nil,
        hardClasses: HardClassMining? = nil
    ) throws {
        try hardClasses?.validate()
        self.labels = labels
        self.loss = loss
        self.classifier = classifier
        self.hardClasses = hardClasses
        sampler = try PKSampler(
            labels: labels, classesPerBatch: options.classesPerBatch, samplesPerClass: options.samplesPerClass,
            seed: options.seed)
    }

    /// With hard-class mining: the confused classes of the network as it is before `epoch`.
    public func prepare(epoch: Int, network: Sequential, inputs: Tensor, threads: Int) throws {
        guard let hardClasses else { return }
        companions.value = try hardClasses.companions(
            network: network, inputs: inputs, labels: labels, classes: sampler.classes, seed: sampler.seed,
            epoch: epoch, threads: threads)
    }

    /// The sampler's batches of `epoch` (confusable classes together after hard-class mining).
    public func batches(epoch: Int) -> [TrainingBatch] {
        sampler.batches(epoch: epoch - 1, companions: companions.value).map {
            TrainingBatch(samples: $0, labels: $0.map { labels[$0] }, triplets: [])
        }
    }

    /// The loss over the batch's labels, plus the classifier's.
    public func loss(_ embeddings: Tensor, batch: TrainingBatch) throws -> LossOutput {
        var output = try loss(embeddings, labels: batch.labels)
        if let classifier {
            let crossEntropy = try classifier.loss(embeddings, labels: batch.labels)
            output.value += crossEntropy.value
            output.gradient = output.gradient.adding(crossEntropy.gradient)
        }
        return output
    }

    /// Cross-batch memory's ring ("memory.*"), when the loss has one.
    public var buffers: [(name: String, value: Tensor)] {
        (loss as? CrossBatchMemory)?.state.map { ("memory.\($0.name)", $0.value) } ?? []
    }

    /// Restores cross-batch memory's ring from a checkpoint.
    public func loadBuffers(_ saved: [(String, Tensor)]) throws {
        guard let memory = loss as? CrossBatchMemory else {
            guard saved.isEmpty else {
                throw TripletError.invalidParameter(
                    name: "resume", value: "a checkpoint with cross-batch memory",
                    expected: "the same --memory-size as the run being resumed")
            }
            return
        }
        try memory.restore(
            saved.compactMap { name, value in
                name.hasPrefix("memory.") ? (String(name.dropFirst("memory.".count)), value) : nil
            })
    }

    /// The classifier's parameters ("head.weight", "head.bias"), if any.
    public var parameters: [(name: String, parameter: Parameter)] { classifier?.parameters ?? [] }
}

/// The companions found by the last hard-class mining, shared by copies of an objective.
final class CompanionTable: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [[Int]]?

    var value: [[Int]]? {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}

/// Learning from relative comparisons (Schultz & Joachims 2003; Hoffer & Ailon 2015): explicit (anchor,
/// positive, negative) triplets of sample indices, no class labels, scored by an `ExplicitTripletLoss`
/// (`ExplicitTripletMarginLoss`, i.e. `torch.nn.TripletMarginLoss`, or `TripletNetworkLoss`).
public struct TripletObjective: TrainingObjective {
    /// Draws the batches.
    public let sampler: TripletSampler
    /// The loss.
    public let loss: any ExplicitTripletLoss

    /// Batches of `tripletsPerBatch` triplets in an order drawn from `seed`.
    public init(
        triplets: [TripletSampler.Comparison], tripletsPerBatch: Int, seed: UInt64, loss: any ExplicitTripletLoss
    ) throws {
        sampler = try TripletSampler(triplets: triplets, tripletsPerBatch: tripletsPerBatch, seed: seed)
        self.loss = loss
    }

    /// The sampler's batches of `epoch`.
    public func batches(epoch: Int) -> [TrainingBatch] {
        sampler.batches(epoch: epoch - 1).map { batch in
            TrainingBatch(
                samples: batch.samples, labels: [],
                triplets: batch.triplets.map { Triplet($0.anchor, $0.positive, $0.negative) })
        }
    }

    /// The loss over the batch's triplets.
    public func loss(_ embeddings: Tensor, batch: TrainingBatch) throws -> LossOutput {
        try loss(embeddings, triplets: batch.triplets)
    }
}
