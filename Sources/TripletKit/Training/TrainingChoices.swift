import TripletCore
import TripletLosses
import TripletNetworks

/// A built-in embedding network; `TrainingConfig.architecture` replaces it with layers of your own.
public enum ModelChoice: String, Codable, CaseIterable, Sendable {
    /// Flatten → Dense 256 → ReLU → Dense 64 → L2Normalize.
    case mlp
    /// (Conv 3×3 → ReLU → MaxPool 2) × 2 (32, 64 channels) → Dense 128 → ReLU → Dense 64 → L2Normalize.
    case convnet
    /// A small residual network: per stage (32, then 64 channels) Conv 3×3 → BatchNorm → ReLU → MaxPool 2
    /// → Residual(Conv 3×3 → BatchNorm → ReLU → Conv 3×3 → BatchNorm) → ReLU; then GlobalAveragePool →
    /// Dense 64 → L2Normalize.
    case resnet

    /// The layers of this network for samples of `inputShape` ([C, H, W] images, or [F] features for the MLP).
    public func specs(inputShape: [Int]) throws -> [LayerSpec] {
        switch self {
        case .mlp:
            return try Sequential.mlpSpecs(inputs: inputShape.reduce(1, *))
        case .convnet:
            guard inputShape.count == 3, inputShape[1] == inputShape[2] else {
                throw TripletError.shapeMismatch(expected: "square images [C, H, H] for the convnet", got: inputShape)
            }
            return try Sequential.convNetSpecs(inputChannels: inputShape[0], imageSize: inputShape[1])
        case .resnet:
            guard inputShape.count == 3, inputShape[1] >= 4, inputShape[2] >= 4 else {
                throw TripletError.shapeMismatch(
                    expected: "images [C, H, W] of at least 4×4 for the resnet", got: inputShape)
            }
            return Sequential.residualNetSpecs(inputChannels: inputShape[0])
        }
    }
}

/// The loss a `TrainingConfig` trains with.
public enum LossChoice: String, Codable, CaseIterable, Sendable {
    /// `TripletMarginLoss` with the configured miner and margin.
    case tripletMargin = "triplet-margin"
    /// `TripletMarginLoss` plus `ceWeight` × the cross-entropy of a linear `ClassifierHead` trained beside it.
    case tripletMarginCrossEntropy = "triplet-margin+ce"
    /// `BatchHardSoftMarginLoss` (Hermans et al.), Euclidean distance.
    case batchHardSoftMargin = "batch-hard-soft-margin"
    /// `ContrastiveLoss` with its default margins.
    case contrastive
    /// `NTXentLoss` with its default temperature.
    case ntxent
    /// `LadderLoss` with `TrainingConfig.ladder`'s coarse groups, margins and weights.
    case ladder
    /// `TripletNetworkLoss` (Hoffer & Ailon) on the configured miner's triplets.
    case tripletNetwork = "triplet-network"
}

/// The miner of the triplet-margin loss.
public enum MinerChoice: String, Codable, CaseIterable, Sendable {
    /// `TripletMarginMiner(type: .semihard)`.
    case semihard
    /// `TripletMarginMiner(type: .hard)`.
    case hard
    /// `TripletMarginMiner(type: .easy)`.
    case easy
    /// `TripletMarginMiner(type: .all)`.
    case all
    /// `BatchHardMiner`.
    case batchHard = "batch-hard"
    /// Every triplet of the batch, unmined.
    case none

    /// The miner, with `margin` for the triplet-margin miners; nil for `.none`.
    public func makeMiner(margin: Float) -> (any TripletMiner & CrossBatchMiner)? {
        switch self {
        case .none: return nil
        case .batchHard: return BatchHardMiner()
        case .semihard: return TripletMarginMiner(margin: margin, type: .semihard)
        case .hard: return TripletMarginMiner(margin: margin, type: .hard)
        case .easy: return TripletMarginMiner(margin: margin, type: .easy)
        case .all: return TripletMarginMiner(margin: margin, type: .all)
        }
    }
}

/// The optimizer a `TrainingConfig` trains with.
public enum OptimizerChoice: String, Codable, CaseIterable, Sendable {
    /// `Adam` (L2 weight decay).
    case adam
    /// `AdamW` (decoupled weight decay).
    case adamw
    /// `SGD` with momentum 0.9 (L2 weight decay).
    case sgd

    /// The optimizer with `weightDecay`, using `threads`.
    public func makeOptimizer(weightDecay: Float, threads: Int) throws -> any Optimizer {
        let optimizer: any Optimizer
        switch self {
        case .adam: optimizer = try Adam(weightDecay: Double(weightDecay))
        case .adamw: optimizer = try AdamW(weightDecay: Double(weightDecay))
        case .sgd: optimizer = try SGD(momentum: 0.9, weightDecay: weightDecay)
        }
        optimizer.threads = threads
        return optimizer
    }
}
