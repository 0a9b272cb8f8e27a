import Foundation
import TripletCore
import TripletNetworks

/// A linear classification head trained beside the embedding — the "triplet + cross-entropy" multi-task
/// recipe of strong re-identification baselines: logits = e·Wᵀ + b over the training classes, softmax
/// cross-entropy against each row's class (`torch.nn.CrossEntropyLoss`, mean over the batch), multiplied by
/// `weight` and added to the metric loss. The head belongs to the objective, not to the embedding network:
/// it is trained and checkpointed with the run (`head.weight`, `head.bias`) and left out of the saved model.
///
/// ```swift
/// let head = try ClassifierHead(embeddingDimension: 64, classes: train.labels, weight: 1, seed: 0)
/// let objective = try LabelledObjective(labels: train.labels, loss: triplet, options: options, classifier: head)
/// ```
public final class ClassifierHead {
    /// The layer: [D] → [number of classes].
    public let dense: Dense
    /// The training classes in output order (sorted labels).
    public let classes: [Int]
    /// The factor of the cross-entropy in the total loss.
    public let weight: Float
    private let position: [Int: Int]

    /// A head for embeddings of `embeddingDimension` over the distinct values of `classes`, initialised as
    /// `nn.Linear` from `seed`. Throws on a dimension below 1, fewer than two classes, or a weight that is
    /// negative or not finite.
    public init(embeddingDimension: Int, classes labels: [Int], weight: Float, seed: UInt64) throws {
        guard weight >= 0, weight.isFinite else {
            throw TripletError.invalidParameter(name: "ceWeight", value: "\(weight)", expected: "a number >= 0")
        }
        classes = Array(Set(labels)).sorted()
        guard classes.count >= 2 else {
            throw TripletError.invalidParameter(
                name: "classes", value: "\(classes.count) class(es)", expected: "at least 2 classes to classify")
        }
        var generator = SeededGenerator(seed: seed ^ 0xC1A5_51F1_E500_0000)
        dense = try Dense(inputs: embeddingDimension, outputs: classes.count, generator: &generator)
        position = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        self.weight = weight
    }

    /// The head's parameters under their checkpoint names ("head.weight", "head.bias").
    public var parameters: [(name: String, parameter: Parameter)] {
        dense.namedParameters.map { ("head.\($0.name)", $0.parameter) }
    }

    /// `weight` × the mean cross-entropy of `embeddings` ([B, D]) against `labels`, and its gradient with
    /// respect to the embeddings; the head's parameter gradients are accumulated. Throws for a label the
    /// head was not made with or a batch whose size does not match.
    public func loss(_ embeddings: Tensor, labels: [Int]) throws -> (value: Float, gradient: Tensor) {
        let b = embeddings.shape[0], c = classes.count
        guard labels.count == b else {
            throw TripletError.labelCountMismatch(embeddings: b, labels: labels.count)
        }
        let targets = try labels.map { label in
            guard let target = position[label] else {
                throw TripletError.invalidParameter(
                    name: "labels", value: "\(label)", expected: "one of the classes the head was made with")
            }
            return target
        }
        let logits = try dense.forward(embeddings, training: true)
        var total = 0.0
        let scale = weight / Float(max(b, 1))
        let gradLogits = Tensor.filled([b, c]) { g in
            logits.scalars.withUnsafeBufferPointer { z in
                for row in 0..<b {
                    let zRow = z.baseAddress! + row * c, gRow = g.baseAddress! + row * c
                    var top = -Float.infinity
                    for j in 0..<c { top = max(top, zRow[j]) }
                    var sum: Float = 0
                    for j in 0..<c {
                        gRow[j] = exp(zRow[j] - top)
                        sum += gRow[j]
                    }
                    total += Double(top + log(sum) - zRow[targets[row]])
                    for j in 0..<c { gRow[j] = gRow[j] / sum * scale }
                    gRow[targets[row]] -= scale
                }
            }
        }
        let gradient = try dense.backward(gradLogits)
        return (Float(total) * scale, gradient)
    }
}
