import Foundation
import TripletCore
import TripletData
import TripletEvaluation
import TripletLosses
import TripletNetworks

/// Trains an embedding network with a metric-learning loss on P×K batches: forward, loss with its
/// gradient, backward, optimizer step; after each epoch an evaluation (precision@1, MAP@R) and an atomic
/// checkpoint, from which `run(resume: true)` continues a killed run to the same final weights.
///
/// ```swift
/// var config = TrainingConfig()
/// config.model = "mlp"
/// let trainer = try Trainer(config: config, train: try FashionMNIST.load(split: .train),
///                           evaluation: try FashionMNIST.load(split: .test))
/// let history = try trainer.run(checkpointDirectory: URL(fileURLWithPath: "runs/mlp"))
/// ```
public final class Trainer {
    /// The run's configuration.
    public let config: TrainingConfig
    /// The network being trained.
    public let network: Sequential
    /// Its optimizer.
    public let optimizer: any Optimizer
    /// The metrics of the finished epochs.
    public private(set) var history: [EpochMetrics] = []
    private let loss: any EmbeddingLoss
    private let train: Dataset
    private let evaluation: Dataset?
    private let sampler: PKSampler

    /// Builds the network, optimizer, loss and sampler of `config` for a training set (and an optional
    /// evaluation set, embedded after each epoch).
    public init(config: TrainingConfig, train: Dataset, evaluation: Dataset?) throws {
        try config.validate()
        self.config = config
        self.train = train
        self.evaluation = evaluation
        network = try Self.makeNetwork(config, inputShape: Array(train.inputs.shape.dropFirst()))
        optimizer = try Self.makeOptimizer(config)
        loss = try Self.makeLoss(config)
        sampler = try PKSampler(
            labels: train.labels, classesPerBatch: config.classesPerBatch, samplesPerClass: config.samplesPerClass,
            seed: config.seed)
    }

    /// Trains the remaining epochs, checkpointing each into `checkpointDirectory` (when given); with
    /// `resume`, first restores the last checkpoint there. Returns the metrics of every epoch.
    @discardableResult
    public func run(checkpointDirectory: URL?, resume: Bool = false, progress: Bool = true) throws -> [EpochMetrics] {
        if resume, let directory = checkpointDirectory, let saved = try Checkpoint.load(from: directory) {
            try restore(saved)
        }
        while history.count < config.epochs {
            let epoch = history.count + 1
            var metrics = try trainEpoch(epoch, progress: progress)
            if let evaluation {
                let scores = try RetrievalMetrics.evaluate(
                    embeddings: try network.embed(evaluation.inputs), labels: evaluation.labels, threads: config.threads
                )
                (metrics.precisionAtOne, metrics.mapAtR) = (scores.precisionAtOne, scores.mapAtR)
            }
            history.append(metrics)
            if let directory = checkpointDirectory {
                try Checkpoint(trainer: self, inputShape: Array(train.inputs.shape.dropFirst())).save(to: directory)
            }
        }
        return history
    }

    /// One pass over the P×K batches of `epoch` (1-based).
    private func trainEpoch(_ epoch: Int, progress: Bool) throws -> EpochMetrics {
        let batches = sampler.batches(epoch: epoch - 1)
        let bar = progress ? ProgressBar(title: "epoch \(epoch)/\(config.epochs)", total: batches.count) : nil
        let start = DispatchTime.now().uptimeNanoseconds
        var lossSum = 0.0, activeSum = 0.0, images = 0
        let parameters = network.stateDictParameters
        for (step, batch) in batches.enumerated() {
            let inputs = try train.inputs.rows(batch)
            let labels = batch.map { train.labels[$0] }
            network.zeroGradients()
            let embeddings = try network.forward(inputs, training: true)
            let output = try loss(embeddings, labels: labels)
            try network.backward(output.gradient, inputGradient: false)
            try optimizer.step(parameters, learningRate: config.learningRate)
            lossSum += Double(output.value)
            activeSum += output.stats.activeFraction
            images += batch.count
            bar?.update(
                done: step + 1, items: images, loss: lossSum / Double(step + 1),
                activeFraction: activeSum / Double(step + 1))
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let steps = Double(max(batches.count, 1))
        return EpochMetrics(
            epoch: epoch, loss: lossSum / steps, activeFraction: activeSum / steps, precisionAtOne: nil, mapAtR: nil,
            seconds: seconds, imagesPerSecond: Double(images) / seconds)
    }

    /// Restores weights, optimizer state and history from a checkpoint of the same run.
    func restore(_ saved: Checkpoint) throws {
        guard saved.architecture == network.specs else {
            throw TripletError.invalidParameter(
                name: "--resume", value: "a checkpoint of another architecture",
                expected: "the same --model as the run being resumed")
        }
        var expected = saved.config
        expected.epochs = config.epochs
        guard expected == config else {
            throw TripletError.invalidParameter(
                name: "--resume", value: "a checkpoint with other options",
                expected: "the options of the run being resumed (only --epochs may change)")
        }
        try network.load(stateDict: saved.weights)
        try optimizer.load(stateDict: saved.optimizerState)
        let dropouts = network.allLayers.compactMap { $0 as? Dropout }
        let states = saved.sidecar.dropoutStates ?? []
        guard dropouts.count == states.count, states.allSatisfy({ $0.count == 4 })
        else {
            throw TripletError.corruptFile(
                path: "model.json", reason: "its dropout_states do not match the architecture")
        }
        for (layer, s) in zip(dropouts, states) {
            layer.generator = SeededGenerator(state: (s[0], s[1], s[2], s[3]))
        }
        history = saved.history
    }

    static func makeNetwork(_ config: TrainingConfig, inputShape: [Int]) throws -> Sequential {
        switch config.model {
        case "mlp":
            return try .mlp(inputs: inputShape.reduce(1, *), seed: config.seed, threads: config.threads)
        default:
            guard inputShape.count == 3, inputShape[1] == inputShape[2] else {
                throw TripletError.shapeMismatch(expected: "images [N, C, H, H] for the convnet", got: inputShape)
            }
            return try .convNet(
                inputChannels: inputShape[0], imageSize: inputShape[1], seed: config.seed, threads: config.threads)
        }
    }

    static func makeOptimizer(_ config: TrainingConfig) throws -> any Optimizer {
        switch config.optimizer {
        case "adam": return try Adam(weightDecay: Double(config.weightDecay))
        case "adamw": return try AdamW(weightDecay: Double(config.weightDecay))
        case "sgd": return try SGD(momentum: 0.9, weightDecay: config.weightDecay)
        default:
            throw TripletError.invalidParameter(
                name: "--optimizer", value: config.optimizer, expected: "adam, adamw or sgd")
        }
    }

    static func makeLoss(_ config: TrainingConfig) throws -> any EmbeddingLoss {
        let threads = config.threads
        switch config.loss {
        case "triplet-margin":
            let miner: (any TripletMiner)?
            switch config.miner {
            case "none": miner = nil
            case "batch-hard": miner = BatchHardMiner()
            default:
                guard let type = TripletMarginMiner.TripletType(rawValue: config.miner) else {
                    throw TripletError.invalidParameter(
                        name: "--miner", value: config.miner, expected: "semihard, hard, easy, all, batch-hard or none")
                }
                miner = TripletMarginMiner(margin: config.minerMargin, type: type)
            }
            return TripletMarginLoss(margin: config.margin, miner: miner, threads: threads)
        case "batch-hard-soft-margin": return BatchHardSoftMarginLoss(distance: .euclidean(), threads: threads)
        case "contrastive": return ContrastiveLoss(threads: threads)
        case "ntxent": return NTXentLoss(threads: threads)
        default:
            throw TripletError.invalidParameter(
                name: "--loss", value: config.loss,
                expected: "triplet-margin, batch-hard-soft-margin, contrastive or ntxent")
        }
    }
}
