import TripletCore
import TripletData
import TripletLosses
import TripletNetworks

/// A whole training run described by values: which network (built in, or your own layers), loss, miner,
/// optimizer and data, and the `TrainingOptions`. Stored in the checkpoint sidecar so a run can be
/// resumed or reproduced; `makeTrainer` turns it into a `Trainer`. The JSON keeps its flat form
/// (`"model": "convnet"`, `"epochs": 3`, …), so sidecars of earlier versions still load.
public struct TrainingConfig: Codable, Equatable, Sendable {
    /// Where the training samples come from.
    public var data: DataSource = .fashionMNIST(directory: nil)
    /// Where the evaluation samples come from (nil: the source's test split when it has one, else the
    /// held-out classes of `split`, else none).
    public var evaluationData: DataSource?
    /// Train on some classes and evaluate on the others (nil: train on all).
    public var split: ClassSplit?
    /// How raw inputs are standardised before the network (stored with the model, applied by every
    /// command that embeds).
    public var normalization: InputNormalization = .estimate
    /// The built-in network (ignored when `architecture` is given).
    public var model: ModelChoice = .convnet
    /// Layers of your own (an architecture file); nil: `model`'s.
    public var architecture: [LayerSpec]?
    /// The loss.
    public var loss: LossChoice = .tripletMargin
    /// The triplet miner (for the triplet-margin loss).
    public var miner: MinerChoice = .semihard
    /// The loss margin.
    public var margin: Float = 0.2
    /// The miner's own margin.
    public var minerMargin: Float = 0.2
    /// Rows of cross-batch memory (nil: none): the loss mines each batch against the last `memorySize`
    /// embeddings (`CrossBatchMemory`; triplet-margin, contrastive or ntxent). Resumed runs start it empty.
    public var memorySize: Int?
    /// Global hard-class mining before each epoch, for batches of confusable classes (nil: plain P×K).
    public var hardClasses: HardClassMining?
    /// The weight of the classification head's cross-entropy (for `triplet-margin+ce`).
    public var ceWeight: Float = 1
    /// The coarse groups, margins and weights of the ladder loss (nil unless `loss` is `.ladder`).
    public var ladder: LadderOptions?
    /// The optimizer.
    public var optimizer: OptimizerChoice = .adam
    /// Weight decay (L2 for adam and sgd, decoupled for adamw).
    public var weightDecay: Float = 0
    /// The classes trained on when `split` names them.
    public var trainClasses: [Int]? {
        if case .classes(let chosen) = split { return chosen }
        return nil
    }
    /// Use only the first N samples of the training and of the evaluation set (nil: all) — for quick runs.
    public var sampleLimit: Int?
    /// Explicit triplets to learn from instead of labelled P×K batches (nil: labelled training).
    public var triplets: TripletTraining?
    /// Epochs, batches, learning rate and schedule, seed, threads.
    public var options = TrainingOptions()

    /// The default configuration.
    public init() {}

    /// Throws `TripletError.invalidParameter` naming the first property that does not make a valid run.
    public func validate() throws {
        func check(_ ok: Bool, _ name: String, _ value: Any, _ expected: String) throws {
            if !ok { throw TripletError.invalidParameter(name: name, value: "\(value)", expected: expected) }
        }
        try options.validate()
        try check(weightDecay >= 0 && weightDecay.isFinite, "weightDecay", weightDecay, "a number >= 0")
        try check(margin >= 0 && margin.isFinite, "margin", margin, "a number >= 0")
        try check(minerMargin.isFinite, "minerMargin", minerMargin, "a finite number")
        try check(ceWeight >= 0 && ceWeight.isFinite, "ceWeight", ceWeight, "a number >= 0")
        try check(
            loss == .tripletMargin || loss == .tripletNetwork || triplets == nil, "loss", loss.rawValue,
            "triplet-margin (the default) or triplet-network when training on explicit triplets")
        try check((sampleLimit ?? 2) >= 2, "sampleLimit", sampleLimit ?? 0, "at least 2")
        if loss == .ladder { _ = try makeLoss() }
        try hardClasses?.validate()
        try check(
            hardClasses == nil || triplets == nil, "sampler", "hard-classes",
            "labelled batches (hard-class sampling has no classes to mix with explicit triplets)")
        if let memorySize {
            try check(
                [.tripletMargin, .contrastive, .ntxent].contains(loss) && triplets == nil, "loss", loss.rawValue,
                "triplet-margin, contrastive or ntxent on labelled batches with cross-batch memory")
            try check(
                memorySize >= options.batchSize, "memorySize", memorySize,
                "at least the batch size \(options.batchSize)")
        }
    }

    /// The network's layers for samples of `inputShape`.
    public func specs(inputShape: [Int]) throws -> [LayerSpec] {
        try architecture ?? model.specs(inputShape: inputShape)
    }

    /// The loss, using `options.threads`; with `memorySize`, a new cross-batch memory around it.
    public func makeLoss() throws -> any EmbeddingLoss {
        let threads = options.threads
        if let memorySize {
            let inner: any CrossBatchLoss
            switch loss {
            case .contrastive: inner = ContrastiveLoss(threads: threads)
            case .ntxent: inner = NTXentLoss(threads: threads)
            default: inner = TripletMarginLoss(margin: margin, threads: threads)
            }
            return try CrossBatchMemory(
                loss: inner, miner: loss == .tripletMargin ? miner.makeMiner(margin: minerMargin) : nil,
                memorySize: memorySize, threads: threads)
        }
        switch loss {
        case .tripletMargin, .tripletMarginCrossEntropy:
            return TripletMarginLoss(margin: margin, miner: miner.makeMiner(margin: minerMargin), threads: threads)
        case .batchHardSoftMargin: return BatchHardSoftMarginLoss(distance: .euclidean(), threads: threads)
        case .contrastive: return ContrastiveLoss(threads: threads)
        case .ntxent: return NTXentLoss(threads: threads)
        case .ladder:
            guard let ladder else {
                throw TripletError.invalidParameter(
                    name: "coarseGroups", value: "none", expected: "a coarse group per class for the ladder loss")
            }
            return try ladder.makeLoss(threads: threads)
        case .tripletNetwork: return TripletNetworkLoss(miner: miner.makeMiner(margin: minerMargin), threads: threads)
        }
    }

    /// A trainer of this configuration on `data` (inputs already standardised): the network built from
    /// `registry` and initialised from `options.seed`, checked against the samples' shape; labelled P×K
    /// training with retrieval evaluation, or — with `triplets` — explicit triplets with held-out triplet
    /// accuracy.
    public func makeTrainer(data: TrainingData, registry: LayerRegistry = .standard) throws -> Trainer {
        try validate()
        let inputShape = Array(data.train.inputs.shape.dropFirst())
        let network = try Sequential(
            try specs(inputShape: inputShape), seed: options.seed, threads: options.threads, registry: registry)
        let outputShape = try network.checkShapes(inputShape: inputShape)
        let optimizer = try optimizer.makeOptimizer(weightDecay: weightDecay, threads: options.threads)
        guard let triplets else {
            let classifier =
                loss == .tripletMarginCrossEntropy
                ? try ClassifierHead(
                    embeddingDimension: outputShape.reduce(1, *), classes: data.train.labels, weight: ceWeight,
                    seed: options.seed) : nil
            return try Trainer(
                network: network, optimizer: optimizer,
                objective: try LabelledObjective(
                    labels: data.train.labels, loss: try makeLoss(), options: options, classifier: classifier,
                    hardClasses: hardClasses),
                inputs: data.train.inputs, evaluation: data.evaluation.map { .retrieval($0) }, options: options)
        }
        let (train, heldOut) = try triplets.split(data: data, seed: options.seed)
        return try Trainer(
            network: network, optimizer: optimizer,
            objective: try TripletObjective(
                triplets: train, tripletsPerBatch: triplets.tripletsPerBatch, seed: options.seed,
                loss: loss == .tripletNetwork
                    ? TripletNetworkLoss(threads: options.threads) : ExplicitTripletMarginLoss(margin: margin)),
            inputs: data.train.inputs, evaluation: heldOut, options: options)
    }

    enum CodingKeys: String, CodingKey {
        case dataset, data, evaluationData, split, normalization, model, architecture, loss, miner, margin,
            minerMargin, memorySize, hardClasses, ceWeight, optimizer, weightDecay, trainClasses, sampleLimit, triplets,
            ladder
    }

    /// Decodes the flat form; missing keys take their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = TrainingConfig.defaults
        if let data = try c.decodeIfPresent(DataSource.self, forKey: .data) {
            self.data = data
        } else {
            // Earlier sidecars: "dataset": "fashion-mnist", "trainClasses": [...], inputs standardised by the loader.
            guard try c.decodeIfPresent(String.self, forKey: .dataset) ?? "fashion-mnist" == "fashion-mnist" else {
                throw DecodingError.dataCorruptedError(
                    forKey: .dataset, in: c, debugDescription: "the only named dataset is fashion-mnist")
            }
            data = .fashionMNIST(directory: nil)
        }
        evaluationData = try c.decodeIfPresent(DataSource.self, forKey: .evaluationData)
        split =
            try c.decodeIfPresent(ClassSplit.self, forKey: .split)
            ?? c.decodeIfPresent([Int].self, forKey: .trainClasses).map { .classes($0) }
        normalization =
            try c.decodeIfPresent(InputNormalization.self, forKey: .normalization)
            ?? .given(FashionMNIST.standardisation)
        model = try c.decodeIfPresent(ModelChoice.self, forKey: .model) ?? d.model
        architecture = try c.decodeIfPresent([LayerSpec].self, forKey: .architecture)
        loss = try c.decodeIfPresent(LossChoice.self, forKey: .loss) ?? d.loss
        miner = try c.decodeIfPresent(MinerChoice.self, forKey: .miner) ?? d.miner
        margin = try c.decodeIfPresent(Float.self, forKey: .margin) ?? d.margin
        minerMargin = try c.decodeIfPresent(Float.self, forKey: .minerMargin) ?? d.minerMargin
        memorySize = try c.decodeIfPresent(Int.self, forKey: .memorySize)
        hardClasses = try c.decodeIfPresent(HardClassMining.self, forKey: .hardClasses)
        ceWeight = try c.decodeIfPresent(Float.self, forKey: .ceWeight) ?? d.ceWeight
        optimizer = try c.decodeIfPresent(OptimizerChoice.self, forKey: .optimizer) ?? d.optimizer
        weightDecay = try c.decodeIfPresent(Float.self, forKey: .weightDecay) ?? d.weightDecay
        sampleLimit = try c.decodeIfPresent(Int.self, forKey: .sampleLimit)
        triplets = try c.decodeIfPresent(TripletTraining.self, forKey: .triplets)
        ladder = try c.decodeIfPresent(LadderOptions.self, forKey: .ladder)
        options = try TrainingOptions(from: decoder)
    }

    /// Encodes the flat form: these keys and the options' keys side by side.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(data, forKey: .data)
        try c.encodeIfPresent(evaluationData, forKey: .evaluationData)
        try c.encodeIfPresent(split, forKey: .split)
        try c.encode(normalization, forKey: .normalization)
        try c.encode(model, forKey: .model)
        try c.encodeIfPresent(architecture, forKey: .architecture)
        try c.encode(loss, forKey: .loss)
        try c.encode(miner, forKey: .miner)
        try c.encode(margin, forKey: .margin)
        try c.encode(minerMargin, forKey: .minerMargin)
        try c.encodeIfPresent(memorySize, forKey: .memorySize)
        try c.encodeIfPresent(hardClasses, forKey: .hardClasses)
        if loss == .tripletMarginCrossEntropy { try c.encode(ceWeight, forKey: .ceWeight) }
        try c.encode(optimizer, forKey: .optimizer)
        try c.encode(weightDecay, forKey: .weightDecay)
        try c.encodeIfPresent(sampleLimit, forKey: .sampleLimit)
        try c.encodeIfPresent(triplets, forKey: .triplets)
        try c.encodeIfPresent(ladder, forKey: .ladder)
        try options.encode(to: encoder)
    }

    private static let defaults = TrainingConfig()
}
