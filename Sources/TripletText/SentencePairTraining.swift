import Foundation
import TripletCore
import TripletLosses
import TripletNetworks

/// Fine-tunes a `BertEncoder` on (anchor, positive) or (anchor, positive, hard negative) texts with
/// sentence-transformers' multiple-negatives ranking loss (in-batch negatives, cosine × scale 20): each step
/// embeds the batch's sentences (packed, see `BertEncoder.embed`), takes the loss and its gradient, back-propagates through the encoder and takes an
/// AdamW step at a linearly warmed-up, then linearly decaying rate (sentence-transformers' default).
public final class SentencePairTraining {
    /// The encoder being trained.
    public let encoder: BertEncoder
    /// The loss: sentence-transformers' MNRL, or its TripletLoss (Euclidean, a margin).
    public let objective: SentenceObjective
    private let ranking: MultipleNegativesRankingLoss
    /// The optimizer.
    public let optimizer: AdamW
    /// The peak learning rate.
    public let learningRate: Float
    /// Steps of linear warm-up, and all steps of the run (the rate decays linearly to 0 after warm-up).
    public let warmupSteps: Int, totalSteps: Int
    /// A training run of `totalSteps` steps on `encoder`.
    public init(
        encoder: BertEncoder, objective: SentenceObjective = .multipleNegativesRanking, learningRate: Float = 2e-5,
        warmupSteps: Int, totalSteps: Int, weightDecay: Double = 0.01
    ) throws {
        guard learningRate > 0, learningRate.isFinite, totalSteps >= 1, warmupSteps >= 0 else {
            throw TripletError.invalidParameter(
                name: "learningRate / steps", value: "\(learningRate), \(warmupSteps) of \(totalSteps)",
                expected: "a positive rate, at least one step, warm-up ≥ 0")
        }
        self.encoder = encoder
        self.objective = objective
        ranking = MultipleNegativesRankingLoss(scale: 20, threads: encoder.threads)
        optimizer = try AdamW(weightDecay: weightDecay)
        optimizer.threads = encoder.threads
        (self.learningRate, self.warmupSteps, self.totalSteps) = (learningRate, warmupSteps, totalSteps)
    }

    /// The learning rate of step `step` (0-based).
    public func rate(at step: Int) -> Float {
        if step < warmupSteps { return learningRate * Float(step + 1) / Float(warmupSteps + 1) }
        let remaining = Float(max(totalSteps - step, 0)) / Float(max(totalSteps - warmupSteps, 1))
        return learningRate * remaining
    }

    /// One step on a batch whose rows 2i and 2i + 1 are anchor and positive i (token ids, padded) — with
    /// `hardNegatives`, rows 3i, 3i + 1, 3i + 2 are anchor, positive and negative i; returns the loss before
    /// the step.
    @discardableResult
    public func step(_ batch: TokenBatch, hardNegatives: Bool = false) throws -> Float {
        encoder.zeroGradients()
        let embeddings = try encoder.embed(batch, normalize: true, training: true)
        let output: LossOutput
        switch objective {
        case .multipleNegativesRanking:
            output = try ranking(embeddings, hardNegatives: hardNegatives)
        case .triplet(let margin):
            guard hardNegatives else {
                throw TripletError.invalidParameter(
                    name: "objective", value: "triplet without negatives",
                    expected: "(anchor, positive, negative) rows for the triplet loss")
            }
            let triplets = (0..<(batch.ids.count / 3)).map { Triplet(3 * $0, 3 * $0 + 1, 3 * $0 + 2) }
            output = try ExplicitTripletMarginLoss(margin: margin)(embeddings, triplets: triplets)
        }
        try encoder.backward(output.gradient)
        try optimizer.step(encoder.namedParameters, learningRate: rate(at: optimizer.stepCount))
        return output.value
    }
}

/// What a sentence model is trained with.
public enum SentenceObjective: Equatable, Sendable {
    /// sentence-transformers' `MultipleNegativesRankingLoss` (scale 20, cosine, in-batch and hard negatives).
    case multipleNegativesRanking
    /// sentence-transformers' `TripletLoss`: max(‖a − p‖ − ‖a − n‖ + margin, 0), mean (its default margin 5).
    case triplet(margin: Float)
}
