import Foundation
import TripletData

/// Observes a `Trainer`: the progress bar, checkpoints, `metrics.json` and anything of your own plug in
/// here instead of into the loop. Every method has an empty default; throwing stops the run.
///
/// ```swift
/// final class PrintLoss: TrainingCallback {
///     func epochEnded(_ metrics: EpochMetrics, trainer: Trainer) { print(metrics.epoch, metrics.loss) }
/// }
/// trainer.callbacks.append(PrintLoss())
/// ```
public protocol TrainingCallback: AnyObject {
    /// Before the first batch of `epoch` (1-based), which has `batches` batches.
    func epochStarted(_ epoch: Int, batches: Int, trainer: Trainer) throws
    /// After each optimizer step.
    func batchEnded(_ batch: BatchReport, trainer: Trainer) throws
    /// After each epoch, its evaluation included; `trainer.history` already holds `metrics`.
    func epochEnded(_ metrics: EpochMetrics, trainer: Trainer) throws
}

extension TrainingCallback {
    /// Nothing.
    public func epochStarted(_ epoch: Int, batches: Int, trainer: Trainer) throws {}
    /// Nothing.
    public func batchEnded(_ batch: BatchReport, trainer: Trainer) throws {}
    /// Nothing.
    public func epochEnded(_ metrics: EpochMetrics, trainer: Trainer) throws {}
}

/// What one training step measured, with the running means of its epoch so far.
public struct BatchReport: Sendable {
    /// The epoch, from 1.
    public var epoch: Int
    /// The step within the epoch, from 1.
    public var step: Int
    /// The steps in the epoch.
    public var steps: Int
    /// This batch's loss.
    public var loss: Double
    /// The fraction of mined triplets (or pairs) with a loss above zero in this batch.
    public var activeFraction: Double
    /// The mean loss of the epoch so far.
    public var meanLoss: Double
    /// The mean active fraction of the epoch so far.
    public var meanActiveFraction: Double
    /// Samples trained on in the epoch so far.
    public var samples: Int
    /// The learning rate this step used.
    public var learningRate: Float
}

/// The progress bar of `ProgressBar` as a callback: one bar per epoch on standard error.
public final class ProgressCallback: TrainingCallback {
    private var bar: ProgressBar?

    /// A progress display.
    public init() {}

    /// Starts the epoch's bar.
    public func epochStarted(_ epoch: Int, batches: Int, trainer: Trainer) {
        bar = ProgressBar(title: "epoch \(epoch)/\(trainer.options.epochs)", total: batches)
    }

    /// Advances it.
    public func batchEnded(_ batch: BatchReport, trainer: Trainer) {
        bar?.update(
            done: batch.step, items: batch.samples, loss: batch.meanLoss, activeFraction: batch.meanActiveFraction)
    }
}

/// Writes a checkpoint (`Checkpoint`: weights, optimizer state, sidecar, metrics.json) into `directory`
/// after every epoch, atomically; `Trainer.resume(from:)` continues from it.
public final class CheckpointCallback: TrainingCallback {
    /// The run folder.
    public let directory: URL
    /// What the sidecar records about how the run was made (nil for a trainer built from parts).
    public let config: TrainingConfig?
    /// The shape of one input sample.
    public let inputShape: [Int]
    /// The standardisation the training inputs went through, applied again by `TrainedModel.embed`.
    public let normalization: ChannelNormalization?

    /// Checkpoints into `directory`.
    public init(directory: URL, config: TrainingConfig?, inputShape: [Int], normalization: ChannelNormalization?) {
        self.directory = directory
        self.config = config
        self.inputShape = inputShape
        self.normalization = normalization
    }

    /// Saves the checkpoint of the finished epoch.
    public func epochEnded(_ metrics: EpochMetrics, trainer: Trainer) throws {
        try Checkpoint(trainer: trainer, config: config, inputShape: inputShape, normalization: normalization)
            .save(to: directory)
    }
}
