/// An MPI call that failed: most often because another rank of the job died or was killed.
public struct MPIError: Error, CustomStringConvertible, Sendable {
    /// The MPI function ("MPI_Allgatherv").
    public var call: String
    /// This process's rank and the job's size.
    public var rank: Int, size: Int
    /// MPI's own message for the error code.
    public var reason: String

    /// "rank 1 of 2: MPI_Allgatherv failed (…): …".
    public var description: String {
        "rank \(rank) of \(size): \(call) failed (\(reason)); another rank has probably stopped, so the job"
            + " stops too: continue it from the last checkpoint with --resume"
    }
}
