import Foundation
import TripletCore
import TripletData
import TripletEvaluation
import TripletLosses
import TripletNetworks

/// Trains an embedding network with a metric-learning loss on P×K batches: forward, loss with its
/// gradient, backward, optimizer step at the scheduled learning rate; after each epoch an evaluation
/// (precision@1, MAP@R) when there is an evaluation set. Everything else — progress display, checkpoints,
/// metrics files, your own logging — plugs in as `callbacks`; training across processes (MPI) as `exchange`.
///
/// ```swift
/// let data = try FashionMNIST.load(split: .train), test = try FashionMNIST.load(split: .test)
/// let network = try Sequential([.flatten, .dense(inputs: 784, outputs: 64), .l2Normalize], seed: 0)
/// var options = TrainingOptions()
/// options.schedule = .cosine(maxSteps: 700, minimum: 0)
/// let trainer = try Trainer(
///     network: network, optimizer: try Adam(), loss: TripletMarginLoss(margin: 0.2, miner: BatchHardMiner()),
///     train: data, evaluation: test, options: options)   // or objective: TripletObjective(…) without labels
/// trainer.callbacks = [ProgressCallback()]
/// let history = try trainer.run()
/// ```
public final class Trainer {
    /// The network being trained.
    public let network: Sequential
    /// Its optimizer.
    public let optimizer: any Optimizer
    /// The batches and their loss.
    public let objective: any TrainingObjective
    /// Epochs, batches, learning rate, schedule, seed, threads.
    public let options: TrainingOptions
    /// Told about every epoch and batch, in order.
    public var callbacks: [any TrainingCallback] = []
    /// The metrics of the finished epochs.
    public private(set) var history: [EpochMetrics] = []
    /// The training samples ([N, …]); the objective's batches index its rows.
    public let inputs: Tensor
    /// What is measured after each epoch (nil: nothing).
    public let evaluation: TrainingEvaluation?
    /// Shares each batch with other processes (data parallelism over MPI); it hears of every epoch and
    /// batch before the callbacks, and only its lead process evaluates. nil: whole batches in this process.
    public var exchange: (any GradientExchange)?

    /// A trainer of `network` with `optimizer` on `objective`'s batches of `inputs`; `options.threads` is
    /// given to the network and the optimizer (a loss keeps the threads it was made with).
    public init(
        network: Sequential, optimizer: any Optimizer, objective: any TrainingObjective, inputs: Tensor,
        evaluation: TrainingEvaluation?, options: TrainingOptions
    ) throws {
        try options.validate()
        (self.network, self.optimizer, self.objective, self.options) = (network, optimizer, objective, options)
        (self.inputs, self.evaluation) = (inputs, evaluation)
        network.threads = options.threads
        optimizer.threads = options.threads
    }

    /// A trainer on labelled data: P×K batches of `train` scored by `loss`, retrieval on `evaluation`
    /// after each epoch. Throws for options that do not make a valid run or a training set the P×K sampler
    /// cannot draw from.
    public convenience init(
        network: Sequential, optimizer: any Optimizer, loss: any EmbeddingLoss, train: Dataset, evaluation: Dataset?,
        options: TrainingOptions
    ) throws {
        try options.validate()
        try self.init(
            network: network, optimizer: optimizer,
            objective: try LabelledObjective(labels: train.labels, loss: loss, options: options), inputs: train.inputs,
            evaluation: evaluation.map { .retrieval($0) }, options: options)
    }

    /// Trains the epochs not yet in `history` and returns the metrics of every epoch.
    @discardableResult
    public func run() throws -> [EpochMetrics] {
        while history.count < options.epochs {
            let epoch = history.count + 1
            var metrics = try trainEpoch(epoch)
            if exchange?.isLead ?? true { try evaluation?.score(network, threads: options.threads, into: &metrics) }
            history.append(metrics)
            for callback in listeners { try callback.epochEnded(metrics, trainer: self) }
        }
        return history
    }

    /// One pass over the P×K batches of `epoch` (1-based), without evaluation; the callbacks hear of its
    /// start and of every batch.
    public func trainEpoch(_ epoch: Int) throws -> EpochMetrics {
        // The epoch's time includes its preparation (hard-class mining re-embeds the training set).
        let start = DispatchTime.now().uptimeNanoseconds
        try objective.prepare(epoch: epoch, network: network, inputs: inputs, threads: options.threads)
        let batches = objective.batches(epoch: epoch)
        for callback in listeners { try callback.epochStarted(epoch, batches: batches.count, trainer: self) }
        var lossSum = 0.0, activeSum = 0.0, samples = 0
        let parameters = network.stateDictParameters + objective.parameters
        var random = SeededGenerator(seed: options.seed ^ (UInt64(epoch) &* 0x9E37_79B9_7F4A_7C15))
        for (step, batch) in batches.enumerated() {
            network.zeroGradients()
            for (_, parameter) in objective.parameters { parameter.zeroGradient() }
            var x = try inputs.rows(batch.samples)
            if !options.augmentation.isIdentity { x = try options.augmentation.apply(x, generator: &random) }
            // With an exchange: this process's rows forward and backward, the loss on the gathered batch.
            let count = batch.samples.count
            let rows = exchange?.localRows(of: count) ?? 0..<count
            if rows.count < count { x = try x.rows(Array(rows)) }
            var embeddings = try network(x, training: true)
            if let exchange { embeddings = try exchange.gather(embeddings, count: count) }
            let output = try objective.loss(embeddings, batch: batch)
            let gradient = rows.count < count ? try output.gradient.rows(Array(rows)) : output.gradient
            try network.backward(gradient, inputGradient: false)
            try exchange?.exchangeGradients(
                network: network.parameters, objective: objective.parameters.map(\.parameter))
            let rate = options.schedule.rate(at: optimizer.stepCount, base: options.learningRate)
            try optimizer.step(parameters, learningRate: rate)
            lossSum += Double(output.value)
            activeSum += output.stats.activeFraction
            samples += batch.samples.count
            let report = BatchReport(
                epoch: epoch, step: step + 1, steps: batches.count, loss: Double(output.value),
                activeFraction: output.stats.activeFraction, meanLoss: lossSum / Double(step + 1),
                meanActiveFraction: activeSum / Double(step + 1), samples: samples, learningRate: rate)
            for callback in listeners { try callback.batchEnded(report, trainer: self) }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let steps = Double(max(batches.count, 1))
        return EpochMetrics(
            epoch: epoch, loss: lossSum / steps, activeFraction: activeSum / steps, precisionAtOne: nil, mapAtR: nil,
            seconds: seconds, imagesPerSecond: Double(samples) / seconds)
    }

    /// The exchange, then the callbacks.
    private var listeners: [any TrainingCallback] { (exchange.map { [$0] } ?? []) + callbacks }

    /// Restores weights, optimizer state (its step count drives the schedule), dropout generators and
    /// history from the last checkpoint in `directory`, so that `run()` continues the run to the same final
    /// weights as one never interrupted. Returns false when there is no checkpoint yet. Throws when the
    /// checkpoint belongs to another architecture or other options (only `epochs` may differ).
    @discardableResult
    public func resume(from directory: URL) throws -> Bool {
        guard let saved = try Checkpoint.load(from: directory) else { return false }
        guard saved.architecture == network.specs else {
            throw TripletError.invalidParameter(
                name: "resume", value: "a checkpoint of another architecture",
                expected: "the same network as the run being resumed")
        }
        var expected = saved.options
        expected.epochs = options.epochs
        expected.threads = options.threads
        guard expected == options else {
            throw TripletError.invalidParameter(
                name: "resume", value: "a checkpoint with other options",
                expected: "the options of the run being resumed (only epochs and threads may change)")
        }
        try network.load(stateDict: saved.weights)
        try loadObjectiveParameters(saved.objectiveState)
        try objective.loadBuffers(saved.buffers)
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
        return true
    }

    /// Restores the objective's own parameters (a classification head) from a checkpoint.
    private func loadObjectiveParameters(_ state: [(String, Tensor)]) throws {
        let saved = Dictionary(state, uniquingKeysWith: { first, _ in first })
        guard saved.count == objective.parameters.count else {
            throw TripletError.invalidParameter(
                name: "resume", value: "a checkpoint with \(saved.count) loss parameter(s)",
                expected: "the \(objective.parameters.count) of the run being resumed (the same loss)")
        }
        for (name, parameter) in objective.parameters {
            guard let value = saved[name], value.shape == parameter.value.shape else {
                throw TripletError.corruptFile(
                    path: "checkpoint", reason: "its \(name) is missing or has another shape")
            }
            parameter.value = value
        }
    }
}
