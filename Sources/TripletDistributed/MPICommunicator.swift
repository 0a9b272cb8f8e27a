import COpenMPI
import Foundation

/// The processes of an `mpirun` job (MPI_COMM_WORLD): rank, size and the collectives data-parallel
/// training needs — all-gather of rows, all-reduce sum, broadcast, barrier, abort.
///
/// Make one only in a process `mpirun` started (`launchedByMPIRun`): `init` calls `MPI_Init`; a program
/// run on its own never touches MPI. Errors come back as `MPIError` instead of aborting inside MPI, so the
/// caller can say what happened before it calls `abort`.
///
/// ```swift
/// if MPICommunicator.launchedByMPIRun {
///     let world = try MPICommunicator()
///     var sums: [Float] = [Float(world.rank)]
///     try world.allReduceSum(&sums)   // 0 + 1 + … + (size − 1) on every rank
///     world.finalize()
/// }
/// ```
public final class MPICommunicator {
    /// This process's rank, 0..<size.
    public let rank: Int
    /// The number of processes in the job.
    public let size: Int
    private let world = cmpi_comm_world()

    /// Whether this process was started by `mpirun`/`mpiexec` (Open MPI's or PMIx's environment is set).
    public static var launchedByMPIRun: Bool {
        let environment = ProcessInfo.processInfo.environment
        return environment["OMPI_COMM_WORLD_SIZE"] != nil || environment["PMIX_RANK"] != nil
    }

    /// Initialises MPI (once per process) with errors returned, not fatal; throws `MPIError` when it fails.
    public init() throws {
        var provided: Int32 = 0
        let status = MPI_Init_thread(nil, nil, Int32(MPI_THREAD_FUNNELED), &provided)
        var rank: Int32 = 0, size: Int32 = 1
        if status == cmpi_success() {
            MPI_Comm_set_errhandler(world, cmpi_errors_return())
            MPI_Comm_rank(world, &rank)
            MPI_Comm_size(world, &size)
        }
        (self.rank, self.size) = (Int(rank), Int(size))
        try check(status, "MPI_Init_thread")
    }

    /// Every rank's `local` rows ([count_r × width] floats, in rank order) concatenated: `counts[r]` is rank
    /// r's number of floats, the same array on every rank.
    public func allGather(_ local: [Float], counts: [Int]) throws -> [Float] {
        try gather(local, counts: counts, type: cmpi_float())
    }

    /// Every rank's `local` integers concatenated in rank order (`counts[r]` of them from rank r).
    public func allGather(_ local: [Int64], counts: [Int]) throws -> [Int64] {
        try gather(local, counts: counts, type: cmpi_int64())
    }

    /// Replaces `values` on every rank with their element-wise sum over the ranks.
    public func allReduceSum(_ values: inout [Float]) throws {
        try allReduceSum(&values, type: cmpi_float())
    }

    /// Replaces `values` on every rank with their element-wise sum over the ranks.
    public func allReduceSum(_ values: inout [Double]) throws {
        try allReduceSum(&values, type: cmpi_double())
    }

    /// Replaces `values` on every rank with rank `root`'s (the same count on every rank).
    public func broadcast(_ values: inout [Float], root: Int = 0) throws {
        try broadcast(&values, type: cmpi_float(), root: root)
    }

    /// Replaces `values` on every rank with rank `root`'s (the same count on every rank).
    public func broadcast(_ values: inout [UInt64], root: Int = 0) throws {
        try broadcast(&values, type: cmpi_uint64(), root: root)
    }

    /// Waits until every rank has called it.
    public func barrier() throws { try check(MPI_Barrier(world), "MPI_Barrier") }

    /// Stops every process of the job with `code` (after this rank has said why); does not return.
    public func abort(code: Int32 = 1) -> Never {
        MPI_Abort(world, code)
        exit(code)
    }

    /// Ends MPI in this process; call once, after the last collective, on every rank.
    public func finalize() { MPI_Finalize() }

    private func gather<T>(_ local: [T], counts: [Int], type: MPI_Datatype) throws -> [T] {
        guard counts.count == size, counts[rank] == local.count else {
            preconditionFailure("allGather: \(local.count) local values for counts \(counts) on rank \(rank)")
        }
        let sizes = try counts.map { try int32($0, "MPI_Allgatherv") }
        var offsets = [Int32](repeating: 0, count: size)
        for r in 1..<max(size, 1) { offsets[r] = offsets[r - 1] + sizes[r - 1] }
        let total = counts.reduce(0, +)
        _ = try int32(total, "MPI_Allgatherv")
        var status: Int32 = 0
        let out = local.withUnsafeBufferPointer { send in
            [T](unsafeUninitializedCapacity: total) { receive, initialized in
                status = MPI_Allgatherv(
                    send.baseAddress, sizes[rank], type, receive.baseAddress, sizes, offsets, type, world)
                initialized = total
            }
        }
        try check(status, "MPI_Allgatherv")
        return out
    }

    private func allReduceSum<T>(_ values: inout [T], type: MPI_Datatype) throws {
        let count = try int32(values.count, "MPI_Allreduce")
        let status = values.withUnsafeMutableBufferPointer {
            MPI_Allreduce(cmpi_in_place(), $0.baseAddress, count, type, cmpi_sum(), world)
        }
        try check(status, "MPI_Allreduce")
    }

    private func broadcast<T>(_ values: inout [T], type: MPI_Datatype, root: Int) throws {
        let count = try int32(values.count, "MPI_Bcast")
        let status = values.withUnsafeMutableBufferPointer {
            MPI_Bcast($0.baseAddress, count, type, Int32(root), world)
        }
        try check(status, "MPI_Bcast")
    }

    private func int32(_ count: Int, _ call: String) throws -> Int32 {
        guard let value = Int32(exactly: count) else {
            throw MPIError(call: call, rank: rank, size: size, reason: "\(count) elements exceed MPI's Int32 counts")
        }
        return value
    }

    private func check(_ status: Int32, _ call: String) throws {
        guard status != cmpi_success() else { return }
        var text = [CChar](repeating: 0, count: Int(cmpi_max_error_string()) + 1)
        var length: Int32 = 0
        MPI_Error_string(status, &text, &length)
        let reason = String(decoding: text.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        throw MPIError(call: call, rank: rank, size: size, reason: reason)
    }
}
