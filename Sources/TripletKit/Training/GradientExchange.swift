import TripletCore
import TripletNetworks

/// Data-parallel training: several processes train one model on one global batch per step. Each embeds
/// its own contiguous share of the batch's rows, the embeddings are gathered so that the loss (and its
/// miner) sees the whole batch on every process, each back-propagates the loss gradient of its own rows,
/// and the exchange makes every process hold the whole batch's parameter gradients before the (identical)
/// optimizer step. `TripletDistributed.MPIExchange` does it over MPI; a `Trainer` without an exchange
/// trains on whole batches in one process. The trainer calls it like a callback too, before its own
/// callbacks (`MPIExchange` gives each process its own dropout generators at the start of each epoch).
///
/// The sum is exact, not an average: the loss is one mean over the global batch, so dL/dθ is the sum over
/// rows of each row's contribution, and each process adds up its own rows'.
public protocol GradientExchange: TrainingCallback {
    /// Whether this process is the one that evaluates and reports (MPI rank 0); the others only train.
    var isLead: Bool { get }
    /// The rows of a batch of `count` samples that this process embeds, a contiguous range of 0..<count.
    func localRows(of count: Int) -> Range<Int>
    /// The embeddings of the whole batch of `count` rows, in batch order, from every process's
    /// `localRows(of: count)` embeddings; throws when another process failed.
    func gather(_ local: Tensor, count: Int) throws -> Tensor
    /// After the backward pass of the local rows: gives every process the gradients of the whole batch.
    /// `network` holds the sums of the local rows' contributions; `objective` (a classification head) was
    /// computed from the gathered embeddings, so it already is the whole batch's on every process.
    func exchangeGradients(network: [Parameter], objective: [Parameter]) throws
}
