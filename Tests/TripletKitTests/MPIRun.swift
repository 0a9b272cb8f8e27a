import Foundation
import TripletKit

/// `mpirun` (Open MPI's, from openmpi-bin) running `triplet` as N ranks on this machine, for the tests of
/// data-parallel training.
enum MPIRun {
    /// The `mpirun` on PATH, nil when Open MPI's runtime is not installed.
    static let path: String? = {
        let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":")
        return folders.map { "\($0)/mpirun" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// Runs `triplet arguments` as `ranks` ranks to the end, or kills it after `timeout` seconds; returns
    /// its exit status (nil after a time-out) and standard error.
    static func run(ranks: Int, _ arguments: [String], timeout: TimeInterval = 240) throws -> (
        status: Int32?, error: String
    ) {
        try Job(ranks: ranks, arguments).wait(timeout: timeout)
    }

    /// A started `mpirun` job of `triplet` (as root too, more ranks than cores allowed); standard output is
    /// discarded, standard error collected.
    final class Job: @unchecked Sendable {
        let process = Process()
        private let exited = DispatchSemaphore(value: 0), drained = DispatchSemaphore(value: 0)
        private var errorData = Data()

        /// Starts `triplet arguments` as `ranks` ranks.
        init(ranks: Int, _ arguments: [String]) throws {
            process.executableURL = URL(fileURLWithPath: path ?? "mpirun")
            // Shared memory without the cross-memory attach that containers often forbid (ptrace rules).
            process.arguments =
                [
                    "--allow-run-as-root", "--oversubscribe", "--mca", "btl_vader_single_copy_mechanism", "none",
                    "-np", "\(ranks)", ResumeTests.executable.path,
                ] + arguments
            let error = Pipe()
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = FileHandle.nullDevice
            process.standardError = error
            process.terminationHandler = { [exited] _ in exited.signal() }
            try process.run()
            // Standard error drains on another thread, so that the pipe cannot fill and stall the job.
            DispatchQueue.global().async { [self] in
                errorData = error.fileHandleForReading.readDataToEndOfFile()
                drained.signal()
            }
        }

        /// Waits for the end (killing `mpirun` after `timeout` seconds): the exit status (nil after a
        /// time-out) and standard error.
        func wait(timeout: TimeInterval) -> (status: Int32?, error: String) {
            let timedOut = exited.wait(timeout: .now() + timeout) == .timedOut
            if timedOut {
                kill(process.processIdentifier, SIGKILL)
                exited.wait()
            }
            drained.wait()
            return (timedOut ? nil : process.terminationStatus, String(decoding: errorData, as: UTF8.self))
        }
    }

    /// The process id of rank `rank` among the descendants of `mpirun` `ancestor` (read from /proc: Open MPI 4
    /// starts ranks as its children, a PRRTE-based runtime through a daemon), nil while it has not started.
    static func rankProcess(_ rank: Int, of ancestor: Int32) -> Int32? {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        var parents: [Int32: Int32] = [:]
        for pid in entries.compactMap({ Int32($0) }) {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")"), let parent = Int32(stat[close...].split(separator: " ")[2])
            else { continue }
            parents[pid] = parent
        }
        func descends(_ pid: Int32) -> Bool {
            var current = pid
            while let parent = parents[current], parent > 1 {
                if parent == ancestor { return true }
                current = parent
            }
            return false
        }
        for pid in parents.keys where descends(pid) {
            guard let environment = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { continue }
            let variables = Set(environment.split(separator: 0).map { String(decoding: $0, as: UTF8.self) })
            if variables.contains("OMPI_COMM_WORLD_RANK=\(rank)") || variables.contains("PMIX_RANK=\(rank)") {
                return pid
            }
        }
        return nil
    }
}
