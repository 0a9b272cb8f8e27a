import TripletCore

/// Labelled samples: `inputs` is [N, …] (images [N, C, H, W], features [N, F]) with one label per sample.
public struct Dataset: Sendable {
    /// The samples, first dimension N.
    public var inputs: Tensor
    /// One class label per sample.
    public var labels: [Int]

    /// A dataset; throws unless there is one label per sample.
    public init(inputs: Tensor, labels: [Int]) throws {
        guard inputs.rowCount == labels.count else {
            throw TripletError.labelCountMismatch(embeddings: inputs.rowCount, labels: labels.count)
        }
        self.inputs = inputs
        self.labels = labels
    }

    /// A dataset whose label count the caller has already matched to the rows.
    init(unchecked inputs: Tensor, labels: [Int]) {
        precondition(inputs.rowCount == labels.count, "\(inputs.rowCount) rows for \(labels.count) labels")
        self.inputs = inputs
        self.labels = labels
    }

    /// The number of samples.
    public var count: Int { labels.count }
}
