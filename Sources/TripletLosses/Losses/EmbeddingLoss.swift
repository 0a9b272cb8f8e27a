import TripletCore

/// A loss over a labelled batch of embeddings: any Swift training code passes the batch and gets the
/// loss, its gradient with respect to the embeddings, and statistics.
public protocol EmbeddingLoss: Sendable {
    /// Evaluates the loss on a [B, D] batch with one label per row.
    func callAsFunction(_ embeddings: Tensor, labels: [Int]) throws -> LossOutput
}
