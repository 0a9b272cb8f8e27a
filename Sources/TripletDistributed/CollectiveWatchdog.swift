import Foundation

/// Stops this process when one of its MPI collectives has waited longer than `timeout` seconds — a rank that
/// hangs without dying (stopped, stuck on a file system) would otherwise hold every other rank for ever. It
/// prints which call waited and exits with status 1; `mpirun` then stops the whole job.
final class CollectiveWatchdog: @unchecked Sendable {
    /// The longest a collective may wait.
    let timeout: TimeInterval
    /// This rank's name in messages ("rank 1 of 4").
    let rankName: String
    private let lock = NSLock()
    private var waitingSince: (call: String, start: Date)?
    private var started = false

    /// A watchdog that lets a collective wait `timeout` seconds.
    init(timeout: TimeInterval, rankName: String) {
        self.timeout = timeout
        self.rankName = rankName
    }

    /// Runs `body`, a collective called `call`, under the watchdog.
    func guarding<T>(_ call: String, _ body: () throws -> T) rethrows -> T {
        lock.withLock {
            waitingSince = (call, Date())
            if !started {
                started = true
                Thread.detachNewThread { [self] in watch() }
            }
        }
        defer { lock.withLock { waitingSince = nil } }
        return try body()
    }

    /// Checks twice a second; never returns.
    private func watch() {
        while true {
            Thread.sleep(forTimeInterval: 0.5)
            guard let (call, start) = lock.withLock({ waitingSince }), Date().timeIntervalSince(start) > timeout
            else { continue }
            let message =
                "Error (triplet train, \(rankName)): \(call) has waited \(Int(timeout)) s for the other ranks;"
                + " one of them is stuck, so the job stops (a longer evaluation or checkpoint on rank 0 needs a"
                + " larger --mpi-timeout); continue it from the last checkpoint with --resume\n"
            FileHandle.standardError.write(Data(message.utf8))
            _exit(1)
        }
    }
}
