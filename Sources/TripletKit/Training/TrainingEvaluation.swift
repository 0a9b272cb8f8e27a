import Foundation
import TripletCore
import TripletData
import TripletEvaluation
import TripletLosses
import TripletNetworks

/// What a `Trainer` measures after each epoch.
public enum TrainingEvaluation {
    /// Retrieval on labelled samples, queries = references, self excluded: precision@1 and MAP@R.
    case retrieval(Dataset)
    /// Held-out comparisons: the share of triplets (sample indices into `inputs`) whose anchor the
    /// embedding puts strictly closer to the positive than to the negative (Euclidean distance).
    case triplets(inputs: Tensor, triplets: [Triplet])

    /// Scores `network` and writes them into `metrics`.
    func score(_ network: Sequential, threads: Int, into metrics: inout EpochMetrics) throws {
        switch self {
        case .retrieval(let data):
            let scores = try RetrievalMetrics.evaluate(
                embeddings: try network.embed(data.inputs), labels: data.labels, threads: threads)
            (metrics.precisionAtOne, metrics.mapAtR) = (scores.precisionAtOne, scores.mapAtR)
        case .triplets(let inputs, let triplets):
            metrics.tripletAccuracy = try Self.tripletAccuracy(network.embed(inputs), triplets)
        }
    }

    /// The share of `triplets` with d(anchor, positive) < d(anchor, negative) among `embeddings`' rows.
    public static func tripletAccuracy(_ embeddings: Tensor, _ triplets: [Triplet]) throws -> Double {
        let n = embeddings.rowCount, width = embeddings.rowWidth
        guard !triplets.isEmpty else {
            throw TripletError.invalidParameter(
                name: "held-out triplets", value: "none", expected: "at least one triplet to score")
        }
        var correct = 0
        try embeddings.scalars.withUnsafeBufferPointer { x in
            func squaredDistance(_ i: Int, _ j: Int) -> Float {
                var sum: Float = 0
                for k in 0..<width {
                    let d = x[i * width + k] - x[j * width + k]
                    sum += d * d
                }
                return sum
            }
            for t in triplets {
                for i in [t.anchor, t.positive, t.negative] where !(0..<n).contains(i) {
                    throw TripletError.indexOutOfRange(what: "held-out triplet \(t)", index: i, count: n)
                }
                if squaredDistance(t.anchor, t.positive) < squaredDistance(t.anchor, t.negative) { correct += 1 }
            }
        }
        return Double(correct) / Double(triplets.count)
    }
}
