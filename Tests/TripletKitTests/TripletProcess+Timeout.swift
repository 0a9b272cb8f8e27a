import Foundation

extension TripletProcess {
    /// How one run of `triplet` ended.
    struct Outcome {
        /// The exit status, or the signal number when `crashed`.
        let status: Int32
        /// Whether a signal ended it (a trap, an abort, a segmentation fault).
        let crashed: Bool
        /// Whether it was still running at the time limit (and was killed).
        let timedOut: Bool
        /// Its standard error.
        let error: String
    }

    /// Runs `triplet` with `arguments`, its standard input empty, and kills it after `timeout` seconds.
    static func run(_ arguments: [String], timeout: TimeInterval) throws -> Outcome {
        let process = Process()
        process.executableURL = ResumeTests.executable
        process.arguments = arguments
        let (output, error) = (Pipe(), Pipe())
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = error
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        try process.run()
        // Both pipes drain on other threads, so that neither can fill and stall the process.
        nonisolated(unsafe) var errorData = Data()
        let drained = DispatchGroup()
        DispatchQueue.global().async(group: drained) { _ = output.fileHandleForReading.readDataToEndOfFile() }
        DispatchQueue.global().async(group: drained) { errorData = error.fileHandleForReading.readDataToEndOfFile() }
        let timedOut = exited.wait(timeout: .now() + timeout) == .timedOut
        if timedOut {
            kill(process.processIdentifier, SIGKILL)
            exited.wait()
        }
        drained.wait()
        return Outcome(
            status: process.terminationStatus, crashed: !timedOut && process.terminationReason == .uncaughtSignal,
            timedOut: timedOut, error: String(decoding: errorData, as: UTF8.self))
    }
}
