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
    /// differ). With an `exchange` (data parallelism over MPI) every process trains its share of each batch
    /// and only the lead process shows progress and writes checkpoints; a resumed run may use another number
    /// of processes.
    @discardableResult
    public static func train(
        _ config: TrainingConfig, data: TrainingData, directory: URL, resume: Bool = false, progress: Bool = true,
        registry: LayerRegistry = .standard, exchange: (any GradientExchange)? = nil
    ) throws -> Trainer {
        var data = data
        let normalization = try config.normalization.resolve(on: data.train.inputs)
        if let normalization { try data.standardise(with: normalization) }
        let trainer = try config.makeTrainer(data: data, registry: registry)
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
        trainer.exchange = exchange
        if exchange?.isLead ?? true {
            if progress { trainer.callbacks.append(ProgressCallback()) }
            trainer.callbacks.append(
                CheckpointCallback(
                    directory: directory, config: config, inputShape: Array(data.train.inputs.shape.dropFirst()),
                    normalization: normalization))
        }
        try trainer.run()
        return trainer
    }

    /// Optimizer steps per epoch of `config` on `data` (what a schedule counts in).
    public static func stepsPerEpoch(_ config: TrainingConfig, data: TrainingData) throws -> Int {
        try config.validate()
        if let triplets = config.triplets {
            guard triplets.tripletsPerBatch >= 1 else {
                throw TripletError.invalidParameter(
                    name: "tripletsPerBatch", value: "\(triplets.tripletsPerBatch)", expected: "at least 1")
            }
            let count = try TripletList.read(
                contentsOf: URL(fileURLWithPath: triplets.file), sampleCount: data.train.count,
                files: data.files.isEmpty ? nil : data.files
            ).count
            let training = count - triplets.heldOutCount(of: count)
            return max(1, (training + triplets.tripletsPerBatch - 1) / triplets.tripletsPerBatch)
        }
        let options = config.options
        return try PKSampler(
            labels: data.train.labels, classesPerBatch: options.classesPerBatch,
            samplesPerClass: options.samplesPerClass, seed: options.seed
        ).batchesPerEpoch
    }
}
