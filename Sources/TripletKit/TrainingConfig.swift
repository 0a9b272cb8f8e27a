import TripletCore

/// Everything that defines a training run; stored in the checkpoint sidecar so a run can be resumed or
/// reproduced.
public struct TrainingConfig: Codable, Equatable, Sendable {
    /// The dataset name ("fashion-mnist").
    public var dataset = "fashion-mnist"
    /// The architecture name ("mlp" or "convnet").
    public var model = "convnet"
    /// The loss ("triplet-margin", "contrastive", "ntxent", "batch-hard-soft-margin").
    public var loss = "triplet-margin"
    /// The triplet miner ("semihard", "hard", "easy", "all", "batch-hard", "none").
    public var miner = "semihard"
    /// The loss margin.
    public var margin: Float = 0.2
    /// The miner's own margin.
    public var minerMargin: Float = 0.2
    /// Epochs to train.
    public var epochs = 3
    /// Samples per batch (P·K).
    public var batchSize = 256
    /// K of the P×K sampler.
    public var samplesPerClass = 32
    /// The optimizer ("adam", "adamw", "sgd").
    public var optimizer = "adam"
    /// The base learning rate.
    public var learningRate: Float = 1e-3
    /// Weight decay (L2 for adam and sgd, decoupled for adamw).
    public var weightDecay: Float = 0
    /// Seed of the initialisation, the sampler and dropout.
    public var seed: UInt64 = 0
    /// Threads for the network, the loss and evaluation.
    public var threads = 2
    /// Classes to train on (nil: all); the evaluation then uses the other classes of the test set.
    public var trainClasses: [Int]?
    /// Use only the first N samples of the training and of the evaluation set (nil: all) — for quick runs.
    public var sampleLimit: Int?

    /// The default configuration.
    public init() {}

    /// P of the P×K sampler.
    public var classesPerBatch: Int { batchSize / samplesPerClass }

    /// Throws when options do not make a valid run.
    public func validate() throws {
        func check(_ ok: Bool, _ name: String, _ value: Any, _ expected: String) throws {
            if !ok { throw TripletError.invalidParameter(name: name, value: "\(value)", expected: expected) }
        }
        try check(["mlp", "convnet"].contains(model), "--model", model, "mlp or convnet")
        try check(epochs >= 1, "--epochs", epochs, "at least 1")
        try check(samplesPerClass >= 2, "--samples-per-class", samplesPerClass, "at least 2 (a positive per anchor)")
        try check(
            batchSize >= 2 * samplesPerClass && batchSize % samplesPerClass == 0, "--batch-size", batchSize,
            "a multiple of --samples-per-class (\(samplesPerClass)) with at least 2 classes per batch")
        try check(learningRate > 0 && learningRate.isFinite, "--lr", learningRate, "a positive number")
        try check(weightDecay >= 0 && weightDecay.isFinite, "--weight-decay", weightDecay, "a number >= 0")
        try check(margin >= 0 && margin.isFinite, "--margin", margin, "a number >= 0")
        try check(threads >= 1, "--threads", threads, "at least 1")
        try check((sampleLimit ?? 2) >= 2, "--limit", sampleLimit ?? 0, "at least 2")
    }
}
