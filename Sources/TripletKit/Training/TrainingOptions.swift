import TripletCore
import TripletData
import TripletNetworks

/// How a `Trainer` runs, whatever the network, loss and data: epochs, P×K batches, learning rate and its
/// schedule, seed and threads. Checked once, by `validate()`, when a trainer is made; errors name the
/// property (`batchSize`), not a command-line flag.
public struct TrainingOptions: Codable, Equatable, Sendable {
    /// Epochs to train.
    public var epochs = 3
    /// Samples per batch (P·K).
    public var batchSize = 256
    /// K of the P×K sampler: samples of each class in a batch.
    public var samplesPerClass = 32
    /// The base learning rate.
    public var learningRate: Float = 1e-3
    /// The learning rate as a function of the optimizer step (applied before every step; resumable,
    /// since the step count is saved with the optimizer state).
    public var schedule: LearningRateSchedule = .constant
    /// Seed of the sampler (and, through a `TrainingConfig`, of the initialisation and dropout).
    public var seed: UInt64 = 0
    /// Threads for everything in the run: the network, the optimizer, the loss and the evaluation.
    public var threads = 2
    /// Random crops and flips of each training batch ([N, C, H, W] images), drawn from (seed, epoch); off
    /// by default.
    public var augmentation = ImageAugmentation.none

    /// The defaults.
    public init() {}

    /// P of the P×K sampler.
    public var classesPerBatch: Int { batchSize / samplesPerClass }

    /// Throws `TripletError.invalidParameter` naming the first option that does not make a valid run.
    public func validate() throws {
        func check(_ ok: Bool, _ name: String, _ value: Any, _ expected: String) throws {
            if !ok { throw TripletError.invalidParameter(name: name, value: "\(value)", expected: expected) }
        }
        try check(epochs >= 1, "epochs", epochs, "at least 1")
        try check(samplesPerClass >= 2, "samplesPerClass", samplesPerClass, "at least 2 (a positive per anchor)")
        try check(
            batchSize >= 2 * samplesPerClass && batchSize % samplesPerClass == 0, "batchSize", batchSize,
            "a multiple of the samples per class (\(samplesPerClass)) with at least 2 classes per batch")
        try check(learningRate > 0 && learningRate.isFinite, "learningRate", learningRate, "a positive number")
        try check(threads >= 1, "threads", threads, "at least 1")
        try schedule.validate()
    }

    enum CodingKeys: String, CodingKey {
        case epochs, batchSize, samplesPerClass, learningRate, schedule, seed, threads, augmentation
    }

    /// Decodes, taking the default for a missing key (files written before the key existed).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = TrainingOptions()
        epochs = try c.decodeIfPresent(Int.self, forKey: .epochs) ?? defaults.epochs
        batchSize = try c.decodeIfPresent(Int.self, forKey: .batchSize) ?? defaults.batchSize
        samplesPerClass = try c.decodeIfPresent(Int.self, forKey: .samplesPerClass) ?? defaults.samplesPerClass
        learningRate = try c.decodeIfPresent(Float.self, forKey: .learningRate) ?? defaults.learningRate
        schedule = try c.decodeIfPresent(LearningRateSchedule.self, forKey: .schedule) ?? defaults.schedule
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? defaults.seed
        threads = try c.decodeIfPresent(Int.self, forKey: .threads) ?? defaults.threads
        augmentation = try c.decodeIfPresent(ImageAugmentation.self, forKey: .augmentation) ?? defaults.augmentation
    }
}
