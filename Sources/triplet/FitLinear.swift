import ArgumentParser
import Foundation
import TripletKit

/// `triplet fit-linear`: OASIS or Schultz–Joachims on dense features, saved as a model folder.
struct FitLinear: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit-linear",
        abstract: "Fit a linear metric (OASIS or Schultz–Joachims relative comparisons) and save it as a model.",
        discussion: """
            oasis: a bilinear similarity xᵀWy (Chechik et al. 2010), learned online by passive-aggressive \
            steps (aggressiveness --c) on comparisons drawn from the labels (--comparisons steps, --seed) or \
            taken in order from --triplets. The model embeds x ↦ Lx with LᵀL the positive part of (W + Wᵀ)/2 \
            and is compared with the dot product (evaluate and search use it by default).

            relative-comparisons: a diagonal metric Σᵢ wᵢ(xᵢ − yᵢ)², w ≥ 0 (Schultz & Joachims 2003), the \
            QP ½‖w‖² + C Σ slack solved to a certified duality gap. The model embeds x ↦ √w ⊙ x (Euclidean).

            relative-comparisons-full: the same comparisons with a full (optionally low-rank, --rank) map \
            x ↦ Lx, trained by minibatch subgradient descent (--epochs, --lr); no optimality certificate.

            Samples of more than one dimension (images) are flattened; features are used as stored.

            Examples:
              triplet fit-linear --learner relative-comparisons \\
                --features x.npy --feature-labels y.npy \\
                --c 0.1 --comparisons 100000 --seed 0 --out runs/sj
              triplet fit-linear --learner oasis --csv digits.csv \\
                --c 0.1 --comparisons 100000 --out runs/oasis
              triplet evaluate --model runs/oasis --csv digits.csv
            """
    )

    @Option(help: "The learner: oasis or relative-comparisons.") var learner: LinearLearner
    @OptionGroup var source: DataOptions
    @Option(help: "A triplet file (anchor, positive, negative per line) instead of drawing from the labels.")
    var triplets: String?
    @Option(name: .customLong("c"), help: "C: OASIS's aggressiveness, or the slack weight of the QP.")
    var c = 0.1
    @Option(
        help: "Comparisons drawn from the labels (OASIS: steps; default 100000); with --triplets, OASIS's steps.")
    var comparisons: Int?
    @Option(help: "Seed of the comparisons drawn from the labels.") var seed: UInt64 = 0
    @Option(help: "relative-comparisons-full: rows of L (default: the feature width).") var rank: Int?
    @Option(help: "relative-comparisons-full: passes over the comparisons.") var epochs = 5
    @Option(help: "relative-comparisons-full: the step size.") var lr = 0.1
    @Option(help: "The model folder to write.") var out: String

    func run() throws {
        let data = try source.source()
        if triplets == nil, case .npy(_, nil) = data {
            throw ValidationError("--features needs --feature-labels, or --triplets to learn from a triplet file")
        }
        let fit = LinearFit(
            learner: learner, source: data, triplets: triplets, c: c, comparisons: comparisons, seed: seed,
            rank: rank, epochs: epochs, learningRate: lr)
        let summary = try fit.run(to: URL(fileURLWithPath: out))
        switch summary.learner {
        case .oasis:
            print(
                String(
                    format: "oasis: %d steps in %.3f s, mean hinge %.4f, %d updates, %d zero-norm steps skipped",
                    summary.comparisons, summary.seconds, summary.objective, summary.active, Int(summary.detail)))
            print("embedding: the PSD part of (W + Wᵀ)/2, rank \(summary.dimension), compared with the dot product")
        case .relativeComparisons:
            print(
                String(
                    format:
                        "relative-comparisons: %d comparisons in %.3f s, objective %.6g (duality gap %.2g), %d satisfied",
                    summary.comparisons, summary.seconds, summary.objective, summary.detail, summary.active))
        case .relativeComparisonsFull:
            print(
                String(
                    format: "relative-comparisons-full: %d comparisons in %.3f s, rank %d, mean hinge %.4f (last pass)",
                    summary.comparisons, summary.seconds, summary.dimension, summary.objective))
        }
        print("wrote \(out)/model.safetensors and \(out)/model.json")
    }
}

extension LinearLearner: ExpressibleByArgument {}
