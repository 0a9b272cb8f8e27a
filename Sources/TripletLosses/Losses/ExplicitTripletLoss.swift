import TripletCore

/// A loss over explicit (anchor, positive, negative) triplets of batch rows, without labels:
/// `ExplicitTripletMarginLoss` (`torch.nn.TripletMarginLoss`) and `TripletNetworkLoss` (Hoffer & Ailon).
public protocol ExplicitTripletLoss: Sendable {
    /// Evaluates the loss of `triplets` on a [B, D] batch.
    func callAsFunction(_ embeddings: Tensor, triplets: [Triplet]) throws -> LossOutput
}

extension ExplicitTripletMarginLoss: ExplicitTripletLoss {}
extension TripletNetworkLoss: ExplicitTripletLoss {}
