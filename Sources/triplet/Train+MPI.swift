import ArgumentParser
import Foundation
import TripletDistributed

extension Train {
    /// Runs `body` alone when no `mpirun` started this process (MPI is never initialised), or as one rank of
    /// the job: MPI initialised, an `MPIExchange` given, MPI finalised after. An error on any rank is printed
    /// with the rank and stops the whole job (`MPI_Abort`), so that no rank waits for ever on a dead one.
    static func asMPIJob(_ body: (MPIExchange?) throws -> Void) throws {
        guard MPICommunicator.launchedByMPIRun else { return try body(nil) }
        let world = try MPICommunicator()
        do {
            try body(MPIExchange(communicator: world))
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
}
