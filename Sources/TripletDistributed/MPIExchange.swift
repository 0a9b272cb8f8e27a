import Foundation
import TripletKit

/// Data-parallel training over MPI, as a `Trainer`'s `GradientExchange`: every rank draws the same global
/// P×K batch, embeds the rows `localRows(of:)` gives it (rank r of N: rows ⌊r·B/N⌋ ..< ⌊(r+1)·B/N⌋),
/// `MPI_Allgatherv` puts the whole batch's embeddings on every rank for the miner and the loss (as PML's
/// `DistributedLossWrapper` does), each rank back-propagates its rows' loss gradient, and one
/// `MPI_Allreduce` (sum) of the network's gradients gives every rank the whole batch's before the same
/// optimizer step. The loss is one mean over the global batch, so the sum, not an average, is the gradient
/// one process would compute. A classification head's gradient comes from the gathered embeddings, the
/// same on every rank: rank 0's is broadcast, which keeps the ranks bit-identical even on unlike CPUs.
///
/// At the start of each epoch the ranks check that they hold the same weights and batches, and each rank
/// r > 0 reseeds its dropout layers from rank 0's generators and its rank, so that ranks draw independent
/// masks and a resumed run (rank 0's generators are checkpointed) continues exactly. BatchNorm layers are
/// synchronised (`BatchNorm.statisticsSum`, as `torch.nn.SyncBatchNorm`): they normalise with the whole
/// batch's statistics, so a network with BatchNorm trains as in one process too.
public final class MPIExchange: GradientExchange {
    /// The job's processes.
    public let communicator: MPICommunicator
    /// The gradients of the network, flattened, reused from step to step.
    private var buffer: [Float] = []
    /// Seconds this rank spent waiting for the others before its collectives so far (a barrier before each:
    /// the load imbalance between ranks, apart from the transfers).
    public private(set) var waitSeconds = 0.0
    /// Seconds this rank spent in the all-gathers of embeddings so far, after the wait.
    public private(set) var gatherSeconds = 0.0
    /// Seconds this rank spent exchanging gradients so far (all-reduce and broadcast), after the wait.
    public private(set) var reduceSeconds = 0.0
    /// The steps exchanged so far.
    public private(set) var steps = 0

    /// Stops this rank when a collective waits too long.
    private let watchdog: CollectiveWatchdog?

    /// An exchange among `communicator`'s ranks. With a `timeout`, a rank whose collective has waited that
    /// many seconds for the others (one of them hangs without dying) prints why and exits, and `mpirun` stops
    /// the job; rank 0's evaluation and checkpoint after each epoch must fit in it. nil: wait for ever.
    public init(communicator: MPICommunicator, timeout: TimeInterval? = nil) {
        self.communicator = communicator
        watchdog = timeout.map {
            CollectiveWatchdog(timeout: $0, rankName: "rank \(communicator.rank) of \(communicator.size)")
        }
    }

    /// Rank 0.
    public var isLead: Bool { communicator.rank == 0 }

    /// Rank r's contiguous share of a batch of `count`: ⌊r·count/N⌋ ..< ⌊(r+1)·count/N⌋.
    public func localRows(of count: Int) -> Range<Int> { rows(of: count, rank: communicator.rank) }

    private func rows(of count: Int, rank: Int) -> Range<Int> {
        let size = communicator.size
        return (rank * count / size)..<((rank + 1) * count / size)
    }

    /// The whole batch's embeddings [count, D], every rank's rows in batch order.
    public func gather(_ local: Tensor, count: Int) throws -> Tensor {
        let width = local.rowWidth
        let counts = (0..<communicator.size).map { rows(of: count, rank: $0).count * width }
        let all = try timed(&gatherSeconds, "MPI_Allgatherv") {
            try communicator.allGather(local.scalars, counts: counts)
        }
        return try Tensor(shape: [count] + local.shape.dropFirst(), scalars: all)
    }

    /// Sums the network's gradients over the ranks in one all-reduce; broadcasts rank 0's objective gradients.
    public func exchangeGradients(network: [Parameter], objective: [Parameter]) throws {
        try timed(&reduceSeconds, "MPI_Allreduce") {
            try exchange(network) { try communicator.allReduceSum(&$0) }
            try exchange(objective) { try communicator.broadcast(&$0, root: 0) }
        }
        steps += 1
    }

    /// Waits for every rank (adding the wait to `waitSeconds`), then runs `body`, the collective `call`, adding
    /// its time to `total`.
    private func timed<T>(_ total: inout Double, _ call: String, _ body: () throws -> T) throws -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        try guarded("MPI_Barrier") { try communicator.barrier() }
        let ready = DispatchTime.now().uptimeNanoseconds
        let result = try guarded(call, body)
        waitSeconds += Double(ready - start) / 1e9
        total += Double(DispatchTime.now().uptimeNanoseconds - ready) / 1e9
        return result
    }

    /// Runs the collective `body` under the watchdog, if there is one.
    private func guarded<T>(_ call: String, _ body: () throws -> T) throws -> T {
        guard let watchdog else { return try body() }
        return try watchdog.guarding(call, body)
    }

    /// Packs the gradients of `parameters` into one buffer, runs `collective` on it and unpacks the result.
    private func exchange(_ parameters: [Parameter], _ collective: (inout [Float]) throws -> Void) throws {
        guard !parameters.isEmpty else { return }
        buffer.removeAll(keepingCapacity: true)
        for parameter in parameters { buffer.append(contentsOf: parameter.gradient.scalars) }
        try collective(&buffer)
        var offset = 0
        for parameter in parameters {
            let count = parameter.gradient.scalars.count
            parameter.gradient.scalars.withUnsafeMutableBufferPointer { target in
                buffer.withUnsafeBufferPointer { source in
                    target.baseAddress!.update(from: source.baseAddress! + offset, count: count)
                }
            }
            offset += count
        }
    }

    /// Checks that every rank holds the same weights and batches, gives each rank its dropout generators and
    /// synchronises the BatchNorm layers.
    public func epochStarted(_ epoch: Int, batches: Int, trainer: Trainer) throws {
        try checkAgreement(epoch: epoch, batches: batches, trainer: trainer)
        try reseedDropout(trainer.network)
        for layer in trainer.network.allLayers.compactMap({ $0 as? BatchNorm }) {
            layer.statisticsSum = { [unowned self] sums in
                try guarded("MPI_Allreduce") { try communicator.allReduceSum(&sums) }
            }
        }
    }

    /// Throws unless every rank's weights and number of batches hash alike (the same flags and data on each).
    private func checkAgreement(epoch: Int, batches: Int, trainer: Trainer) throws {
        var bytes = Data()
        withUnsafeBytes(of: batches) { bytes.append(contentsOf: $0) }
        for (_, parameter) in trainer.network.stateDictParameters + trainer.objective.parameters {
            parameter.value.scalars.withUnsafeBytes { bytes.append(contentsOf: $0) }
        }
        let hash = Int64(bitPattern: UInt64(ModelFingerprint.of(bytes: bytes), radix: 16) ?? 0)
        let all = try guarded("MPI_Allgatherv") {
            try communicator.allGather([hash], counts: Array(repeating: 1, count: communicator.size))
        }
        if let other = all.firstIndex(where: { $0 != all[0] }) {
            throw TripletError.invalidParameter(
                name: "mpirun", value: "ranks 0 and \(other) holding other weights or batches at epoch \(epoch)",
                expected: "every rank started with the same flags, data and checkpoint")
        }
    }

    /// Rank r > 0 seeds each dropout layer from rank 0's generator state mixed with r; rank 0 keeps its own.
    private func reseedDropout(_ network: Sequential) throws {
        let dropouts = network.allLayers.compactMap { $0 as? Dropout }
        guard !dropouts.isEmpty else { return }
        var states = dropouts.flatMap { d in
            [d.generator.state.0, d.generator.state.1, d.generator.state.2, d.generator.state.3]
        }
        try guarded("MPI_Bcast") { try communicator.broadcast(&states, root: 0) }
        guard communicator.rank > 0 else { return }
        for (i, layer) in dropouts.enumerated() {
            let mixed = states[4 * i..<4 * i + 4].reduce(UInt64(communicator.rank) &* 0x9E37_79B9_7F4A_7C15) {
                ($0 ^ $1) &* 0xBF58_476D_1CE4_E5B9
            }
            layer.generator = SeededGenerator(seed: mixed)
        }
    }
}
