import ArgumentParser
import Foundation
import TripletDistributed

extension Train {
    /// Runs `body` alone when no `mpirun` started this process (MPI is never initialised), or as one rank of
    /// the job: MPI initialised, an `MPIExchange` given (its collectives may wait `timeout` seconds, 0: for
    /// ever), MPI finalised after. An error on any rank is printed with the rank and stops the whole job
    /// (`MPI_Abort`), so that no rank waits for ever on a dead one.
    static func asMPIJob(timeout: Double, _ body: (MPIExchange?) throws -> Void) throws {
        guard timeout >= 0, timeout.isFinite else {
            throw ValidationError("--mpi-timeout \(timeout): expected seconds >= 0 (0: wait for ever)")
        }
        guard MPICommunicator.launchedByMPIRun else { return try body(nil) }
        let world = try MPICommunicator()
        do {
            try body(MPIExchange(communicator: world, timeout: timeout > 0 ? timeout : nil))
        } catch {
            guard world.size > 1 else {
                world.finalize()
                throw error
            }
            let message = (error as? ValidationError)?.message ?? "\(error)"
            FileHandle.standardError.write(
                Data("Error (triplet train, rank \(world.rank) of \(world.size)): \(message)\n".utf8))
            world.abort(code: 1)
        }
        world.finalize()
    }

    /// Throws unless every rank gets at least one sample of each P×K batch.
    static func checkShares(batchSize: Int, exchange: MPIExchange?) throws {
        guard let size = exchange?.communicator.size, batchSize < size else { return }
        throw ValidationError("a batch of \(batchSize) leaves some of the \(size) ranks without rows: use fewer ranks")
    }

    /// "4 ranks, per step on rank 0: 2.0 ms waiting for the others, 0.1 ms in the all-gather, 0.4 ms in the
    /// gradient all-reduce".
    static func exchangeLine(_ exchange: MPIExchange) -> String {
        let steps = Double(max(exchange.steps, 1))
        return String(
            format: "%d rank%@, per step on rank 0: %.2f ms waiting for the others, %.2f ms in the all-gather of"
                + " embeddings, %.2f ms in the gradient all-reduce", exchange.communicator.size,
            exchange.communicator.size == 1 ? "" : "s",
            1000 * exchange.waitSeconds / steps, 1000 * exchange.gatherSeconds / steps,
            1000 * exchange.reduceSeconds / steps)
    }
}
