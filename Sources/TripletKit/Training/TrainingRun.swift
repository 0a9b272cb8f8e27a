import Foundation
import TripletCore
import TripletData
import TripletNetworks

/// The whole of `triplet train` as one call: a `TrainingConfig` trained on its data into a run folder,
/// with the progress bar and a checkpoint after every epoch; with `resume`, continued from the folder's
/// last checkpoint after checking that it is the same run.
public enum TrainingRun {
    /// Trains `config` on `data` into `directory` and returns the trainer, its `history` holding every
    /// epoch. The inputs are standardised as `config.normalization` says (the statistics are saved with the
    /// model). Throws when `resume` finds a checkpoint of another run (only `epochs` and `threads` may
    /// differ).
    @discardableResult
    public static func train(
        _ config: TrainingConfig, data: TrainingData, directory: URL, resume: Bool = false, progress: Bool = true,
        registry: LayerRegistry = .standard
    ) throws -> Trainer {
        var data = data
        let normalization = try config.normalization.resolve(on: data.train.inputs)
        if let normalization {
            try normalization.apply(to: &data.train.inputs)
            if data.evaluation != nil { try normalization.apply(to: &data.evaluation!.inputs) }
        }
        let trainer = try config.makeTrainer(train: data.train, evaluation: data.evaluation, registry: registry)
        if resume, let saved = try Checkpoint.load(from: directory)?.sidecar.config {
            var expected = saved
            expected.options.epochs = config.options.epochs
            expected.options.threads = config.options.threads
            guard expected == config else {
                throw TripletError.invalidParameter(
                    name: "resume", value: "a checkpoint with other options",
                    expected: "the options of the run being resumed (only epochs and threads may change)")
            }
        }
        if resume { try trainer.resume(from: directory) }
        if progress { trainer.callbacks.append(ProgressCallback()) }
        trainer.callbacks.append(
            CheckpointCallback(
                directory: directory, config: config, inputShape: Array(data.train.inputs.shape.dropFirst()),
                normalization: normalization))
        try trainer.run()
        return trainer
    }

    /// Optimizer steps per epoch for `options` on samples with `labels` (what a schedule counts in).
    public static func stepsPerEpoch(labels: [Int], options: TrainingOptions) throws -> Int {
        try options.validate()
        return try PKSampler(
            labels: labels, classesPerBatch: options.classesPerBatch, samplesPerClass: options.samplesPerClass,
            seed: options.seed
        ).batchesPerEpoch
    }
}
