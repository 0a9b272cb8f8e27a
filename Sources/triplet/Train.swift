import ArgumentParser
import Foundation
import TripletDistributed
import TripletKit
import TripletNetworks

/// `triplet train`: trains an embedding network and writes its model folder.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train an embedding network with a metric-learning loss on P×K batches.",
        discussion: """
            Writes OUT/model.safetensors (PyTorch state_dict names), OUT/model.json (architecture, options, \
            epoch, metrics), OUT/metrics.json (per epoch: loss, active fraction, P@1, MAP@R, seconds, images/s), \
            OUT/checkpoint/ (for --resume) and at the end OUT/report.html (see `triplet report`; --no-report \
            skips it). Evaluation after each epoch embeds the test set and ranks it against itself (self excluded).

            Under mpirun (last example) each of N ranks embeds 1/N of every batch, the loss sees the whole batch \
            and the gradients are summed: data parallelism over MPI, rank 0 alone printing and writing.

            Examples:
              triplet train --dataset fashion-mnist --model convnet \\
                --loss triplet-margin --miner semihard --margin 0.2 --epochs 3 \\
                --batch-size 256 --samples-per-class 32 --out runs/convnet
              triplet train --dataset fashion-mnist --model mlp --loss ladder \\
                --coarse-groups 0,2,4,6:5,7,9:1,3,8 --ladder-margins 0.2,0.1 \\
                --out runs/ladder
              triplet train --dataset fashion-mnist --model convnet \\
                --loss triplet-margin+ce --ce-weight 1 --out runs/triplet-ce
              triplet train --features x.npy --feature-labels y.npy --model mlp \\
                --eval-features test_x.npy --eval-feature-labels test_y.npy \\
                --loss triplet-network --miner semihard --out runs/hoffer-ailon
              mpirun -np 4 triplet train --dataset fashion-mnist --model convnet \\
                --batch-size 256 --threads 1 --out runs/convnet-4-ranks
            """
    )

    @OptionGroup var source: DataOptions
    @Option(
        help:
            "Samples to evaluate on after each epoch: an image folder (with --data) or a CSV file (with --csv); default: the held-out classes."
    )
    var evalData: String?
    @Option(help: "Features [N, …] as NPY to evaluate on after each epoch (with --features and --eval-feature-labels).")
    var evalFeatures: String?
    @Option(help: "Labels [N] as integer NPY, for --eval-features.") var evalFeatureLabels: String?
    @Option(help: "Built-in architecture: mlp (784-256-64) or convnet (conv32-pool-conv64-pool-fc128-fc64).")
    var model = ModelChoice.convnet
    @Option(help: "Layers of your own: a JSON file with a list of layer specs (model.json's architecture format).")
    var architecture: String?
    @Option(
        help:
            "Loss: triplet-margin, triplet-margin+ce (with a linear classification head, see --ce-weight), batch-hard-soft-margin, contrastive, ntxent, ladder (graded: see --coarse-groups) or triplet-network (Hoffer & Ailon: softmax of d+, d−; on --miner's triplets or --triplets)."
    )
    var loss = LossChoice.tripletMargin
    @Option(help: "Weight of the classification head's cross-entropy with --loss triplet-margin+ce.")
    var ceWeight: Float = 1
    @OptionGroup var ladder: LadderFlags
    @Option(help: "Triplet miner: semihard, hard, easy, all, batch-hard or none.") var miner = MinerChoice.semihard
    @Option(help: "Margin of the triplet loss.") var margin: Float = 0.2
    @Option(help: "Margin of the triplet-margin miner.") var minerMargin: Float = 0.2
    @Option(
        help:
            "Cross-batch memory: mine each batch against the last M embeddings (triplet-margin, contrastive or ntxent; M ≥ --batch-size)."
    )
    var memorySize: Int?
    @Option(
        help:
            "Batch sampler: pk (P random classes × K samples) or hard-classes (before each epoch the network embeds --hard-class-pool training samples and each batch gathers classes whose samples are nearest neighbours)."
    )
    var sampler = SamplerFlag.pk
    @Option(help: "Training samples embedded for --sampler hard-classes.") var hardClassPool = 10_000
    @Option(help: "Epochs.") var epochs = 3
    @Option(help: "Samples per batch (a multiple of --samples-per-class).") var batchSize = 256
    @Option(help: "K of the P×K sampler: samples per class in a batch.") var samplesPerClass = 32
    @Option(help: "Optimizer: adam, adamw or sgd.") var optimizer = OptimizerChoice.adam
    @Option(name: .customLong("lr"), help: "Learning rate.") var learningRate: Float = 1e-3
    @Option(help: "Learning-rate schedule: constant, cosine (to 0 over the run) or step (see --step-epochs).")
    var schedule = ScheduleName.constant
    @Option(help: "With --schedule step: multiply the rate by --gamma every this many epochs.") var stepEpochs = 1
    @Option(help: "With --schedule step: the factor.") var gamma: Float = 0.1
    @Option(help: "Linear warm-up from 1% of the rate over this many epochs before the schedule.")
    var warmupEpochs = 0
    @Option(help: "Weight decay.") var weightDecay: Float = 0
    @Option(help: "Classes to train on, e.g. 0-7 (the others are held out for evaluation).") var trainClasses: String?
    @Option(
        help:
            "half: train on the first half of the classes, evaluate on the unseen rest (the default for --data, --features and --csv without --eval-data)."
    )
    var splitClasses: String?
    @Option(
        help:
            "Input standardisation: estimate (per-channel mean and std of the training inputs), none, or given by --mean and --std."
    )
    var normalize = "estimate"
    @Option(help: "Per-channel means for the standardisation, e.g. 0.2860 or 0.485,0.456,0.406.") var mean: String?
    @Option(help: "Per-channel standard deviations, with --mean.") var std: String?
    @Option(
        help:
            "Learn from explicit triplets instead of labels: a file of anchor,positive,negative rows (sample indices or file names of --data)."
    )
    var triplets: String?
    @Option(help: "With --triplets: the share held out to measure triplet accuracy.") var heldOutTriplets = 0.1
    @Option(help: "With --triplets: triplets per batch.") var tripletsPerBatch = 128
    @Option(help: "Augmentation: pad images by this many zero pixels and crop back at a random place.")
    var augmentPad = 0
    @Flag(help: "Augmentation: flip half of the images left to right.") var augmentFlip = false
    @Option(help: "Use only the first N samples of each split (quick runs).") var limit: Int?
    @Option(help: "Seed of initialisation and sampling.") var seed: UInt64 = 0
    @Option(help: "Threads.") var threads = 2
    @Option(help: "Output folder.") var out: String
    @Flag(help: "Continue the run in --out from its last checkpoint.") var resume = false
    @Option(
        help:
            "Under mpirun: stop the job when a rank has waited this many seconds for the others (one hangs); rank 0's evaluation and checkpoint must fit in it. 0: wait for ever."
    )
    var mpiTimeout: Double = 600
    @Flag(help: "End with one JSON line of the run's totals (for make bench-train).") var json = false
    @Flag(help: "Do not write OUT/report.html at the end.") var noReport = false

    /// The library's parameter names and the flags that set them, for error messages.
    static let flags = [
        "epochs": "--epochs", "batchSize": "--batch-size", "samplesPerClass": "--samples-per-class",
        "learningRate": "--lr", "threads": "--threads", "weightDecay": "--weight-decay", "margin": "--margin",
        "minerMargin": "--miner-margin", "memorySize": "--memory-size", "sampler": "--sampler",
        "hardClasses": "--hard-class-pool", "sampleLimit": "--limit", "trainClasses": "--train-classes",
        "resume": "--resume", "step size": "--step-epochs", "gamma": "--gamma", "heldOut": "--held-out-triplets",
        "tripletsPerBatch": "--triplets-per-batch", "ceWeight": "--ce-weight", "loss": "--loss",
        "coarseGroups": "--coarse-groups", "ladderMargins": "--ladder-margins", "ladderWeights": "--ladder-weights",
    ]

    func run() throws {
        try Self.asMPIJob(timeout: mpiTimeout) { exchange in
            do {
                try train(exchange: exchange)
            } catch TripletError.invalidParameter(let name, let value, let expected) where Self.flags[name] != nil {
                throw ValidationError("\(Self.flags[name] ?? name) \(value): expected \(expected)")
            }
        }
    }

    /// Trains; under `mpirun`, as one rank of the job (`exchange`), rank 0 alone printing and writing.
    private func train(exchange: MPIExchange?) throws {
        var config = TrainingConfig()
        config.data = try source.source()
        config.evaluationData = try evaluationSource()
        config.triplets = triplets.map {
            TripletTraining(file: $0, heldOut: heldOutTriplets, tripletsPerBatch: tripletsPerBatch)
        }
        if case .npy(_, nil) = config.data, config.triplets == nil {
            throw ValidationError("--features without --feature-labels trains only on --triplets: give the labels")
        }
        config.split = try classSplit(for: config)
        config.normalization = try normalization()
        config.model = model
        config.architecture = try architecture.map(ArchitectureFile.read)
        config.loss = loss
        config.ladder = try ladder.options(for: loss)
        config.miner = miner
        config.margin = margin
        config.minerMargin = minerMargin
        config.memorySize = memorySize
        config.hardClasses = sampler == .hardClasses ? HardClassMining(poolSize: hardClassPool) : nil
        config.ceWeight = ceWeight
        config.optimizer = optimizer
        config.weightDecay = weightDecay
        config.sampleLimit = limit
        config.options.epochs = epochs
        config.options.batchSize = batchSize
        config.options.samplesPerClass = samplesPerClass
        config.options.learningRate = learningRate
        config.options.seed = seed
        config.options.threads = threads
        config.options.augmentation = ImageAugmentation(padding: augmentPad, horizontalFlip: augmentFlip)
        try config.validate()
        let data = try TrainingData.load(
            config.data, evaluationSource: config.evaluationData, split: config.split, limit: config.sampleLimit,
            threads: threads)
        let steps = try TrainingRun.stepsPerEpoch(config, data: data)
        config.options.schedule = schedule.schedule(
            stepsPerEpoch: steps, epochs: epochs, stepEpochs: stepEpochs, gamma: gamma, warmupEpochs: warmupEpochs)
        let folder = URL(fileURLWithPath: out)
        if config.triplets == nil { try Self.checkShares(batchSize: batchSize, exchange: exchange) }
        let history = try TrainingRun.train(
            config, data: data, directory: folder, resume: resume, exchange: exchange
        ).history
        guard exchange?.isLead ?? true else { return }
        for m in history {
            print(
                String(
                    format: "epoch %d  loss %.4f  active %.1f%%  %@  %.1f s  %.0f img/s", m.epoch, m.loss,
                    100 * m.activeFraction, Self.scores(m), m.seconds, m.imagesPerSecond))
        }
        if let exchange { print(Self.exchangeLine(exchange)) }
        print("wrote \(folder.appendingPathComponent("model.safetensors").path), model.json, metrics.json")
        if !noReport { writeReport(folder) }
        if json, let last = history.last {
            let seconds = history.reduce(0) { $0 + $1.seconds }
            let images = history.reduce(0) { $0 + $1.imagesPerSecond * $1.seconds }
            print(
                try JSONFiles.line(
                    Summary(
                        impl: "tripletkit",
                        model: architecture.map { URL(fileURLWithPath: $0).lastPathComponent } ?? model.rawValue,
                        miner: miner.rawValue, epochs: epochs,
                        threads: threads, imagesPerS: images / seconds, pAt1: last.precisionAtOne,
                        mapAtR: last.mapAtR, tripletAccuracy: last.tripletAccuracy, ranks: exchange?.communicator.size,
                        waitMsPerStep: exchange.map { 1000 * $0.waitSeconds / Double(max($0.steps, 1)) },
                        gatherMsPerStep: exchange.map { 1000 * $0.gatherSeconds / Double(max($0.steps, 1)) },
                        reduceMsPerStep: exchange.map { 1000 * $0.reduceSeconds / Double(max($0.steps, 1)) })))
        }
    }

    /// The `--json` line: the run's totals (scores absent when there was no evaluation).
    struct Summary: Encodable {
        var impl: String
        var model: String
        var miner: String
        var epochs: Int
        var threads: Int
        var imagesPerS: Double
        var pAt1: Double?
        var mapAtR: Double?
        var tripletAccuracy: Double?
        /// Under mpirun: the ranks, and rank 0's mean time per step waiting for the others, in the all-gather
        /// and in the gradient exchange.
        var ranks: Int?
        var waitMsPerStep: Double?
        var gatherMsPerStep: Double?
        var reduceMsPerStep: Double?
    }

    /// "P@1 … MAP@R …" or "triplet accuracy …" (or nothing without evaluation).
    static func scores(_ m: EpochMetrics) -> String {
        if let accuracy = m.tripletAccuracy { return String(format: "triplet accuracy %.4f", accuracy) }
        guard let p = m.precisionAtOne, let map = m.mapAtR else { return "no evaluation" }
        return String(format: "P@1 %.4f  MAP@R %.4f", p, map)
    }

    /// Writes OUT/report.html; a failure is a warning, since the model itself is saved.
    func writeReport(_ folder: URL) {
        var options = ReportOptions()
        options.threads = threads
        options.dataDirectory = source.dataDir
        do {
            print("wrote \(try RunReport.write(runDirectory: folder, options: options).path)")
        } catch {
            FileHandle.standardError.write(Data("warning: \(RunReport.fileName) was not written: \(error)\n".utf8))
        }
    }

    /// The evaluation samples the flags name: --eval-data (an image folder, or a CSV file read with
    /// --label-column) or --eval-features with --eval-feature-labels.
    func evaluationSource() throws -> DataSource? {
        if let evalFeatures {
            guard evalData == nil else { throw ValidationError("give --eval-data or --eval-features, not both") }
            guard let evalFeatureLabels else {
                throw ValidationError("--eval-features needs --eval-feature-labels (the classes to retrieve by)")
            }
            return .npy(features: evalFeatures, labels: evalFeatureLabels)
        }
        guard evalFeatureLabels == nil else { throw ValidationError("--eval-feature-labels goes with --eval-features") }
        guard let evalData else { return nil }
        if evalData.lowercased().hasSuffix(".csv") { return .csv(path: evalData, labelColumn: source.labelColumn) }
        return try source.imageFolder(evalData)
    }

    /// The class split the flags ask for: --train-classes, --split-classes half, or half by default for a
    /// source without a test split or --eval-data.
    func classSplit(for config: TrainingConfig) throws -> ClassSplit? {
        if let trainClasses {
            guard config.triplets == nil else {
                throw ValidationError("--triplets trains on all samples: no --train-classes")
            }
            guard splitClasses == nil else {
                throw ValidationError("give --train-classes or --split-classes, not both")
            }
            return .classes(try Self.parseClasses(trainClasses))
        }
        if config.triplets != nil {
            guard splitClasses == nil else {
                throw ValidationError("--triplets trains on all samples: no --split-classes")
            }
            return nil
        }
        switch splitClasses {
        case "half": return .firstHalf
        case "none": return nil
        case nil: return config.data.hasTestSplit || config.evaluationData != nil ? nil : .firstHalf
        case let other?: throw ValidationError("--split-classes \(other): expected half or none")
        }
    }

    /// --normalize with --mean and --std.
    func normalization() throws -> InputNormalization {
        func numbers(_ text: String?, _ flag: String) throws -> [Float] {
            guard let text else { throw ValidationError("--normalize given needs --mean and --std") }
            return try text.split(separator: ",").map {
                guard let value = Float($0.trimmingCharacters(in: .whitespaces)) else {
                    throw ValidationError("\(flag) \(text): expected numbers like 0.485,0.456,0.406")
                }
                return value
            }
        }
        switch normalize {
        case "estimate", "none":
            guard mean == nil, std == nil else { throw ValidationError("--mean and --std go with --normalize given") }
            return normalize == "none" ? .none : .estimate
        case "given":
            return .given(try ChannelNormalization(mean: numbers(mean, "--mean"), std: numbers(std, "--std")))
        default:
            throw ValidationError("--normalize \(normalize): expected estimate, none or given")
        }
    }

    /// "0-7" or "0,2,4" or "0-3,8".
    static func parseClasses(_ text: String) throws -> [Int] {
        var classes: [Int] = []
        for part in text.split(separator: ",") {
            let pieces = part.split(separator: "-", omittingEmptySubsequences: false)
            let bounds = pieces.compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            if pieces.count == 1, bounds.count == 1 {
                classes.append(bounds[0])
            } else if pieces.count == 2, bounds.count == 2, bounds[0] <= bounds[1] {
                classes += Array(bounds[0]...bounds[1])
            } else {
                throw ValidationError("--train-classes \(text): expected a list like 0-7 or 0,2,4")
            }
        }
        return classes
    }
}

extension ModelChoice: ExpressibleByArgument {}
extension LossChoice: ExpressibleByArgument {}
extension MinerChoice: ExpressibleByArgument {}
extension OptimizerChoice: ExpressibleByArgument {}

/// `--schedule`: how the learning rate moves over the run.
enum ScheduleName: String, ExpressibleByArgument, CaseIterable {
    case constant, cosine, step

    /// The schedule in optimizer steps, for a run of `epochs` epochs of `stepsPerEpoch` steps.
    func schedule(stepsPerEpoch: Int, epochs: Int, stepEpochs: Int, gamma: Float, warmupEpochs: Int)
        -> LearningRateSchedule
    {
        let warmup = max(0, warmupEpochs) * stepsPerEpoch
        let main: LearningRateSchedule
        switch self {
        case .constant: main = .constant
        case .cosine: main = .cosine(maxSteps: max(1, epochs * stepsPerEpoch - warmup), minimum: 0)
        case .step: main = .step(stepSize: stepEpochs * stepsPerEpoch, gamma: gamma)
        }
        return warmup > 0 ? .warmup(steps: warmup, startFactor: 0.01, then: main) : main
    }
}

/// The batch samplers of `--sampler`.
enum SamplerFlag: String, ExpressibleByArgument, CaseIterable {
    case pk
    case hardClasses = "hard-classes"
}
