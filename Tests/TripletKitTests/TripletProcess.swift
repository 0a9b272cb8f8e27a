import Foundation
import TripletKit

/// The `triplet` executable, run to the end by the tests that exercise the command line.
enum TripletProcess {
    /// Runs `triplet` with `arguments` and returns its exit status, standard output and standard error.
    static func run(_ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
        let process = Process()
        process.executableURL = ResumeTests.executable
        process.arguments = arguments
        let (output, error) = (Pipe(), Pipe())
        process.standardOutput = output
        process.standardError = error
        try process.run()
        // Standard error is drained on another thread, so that neither pipe can fill and stall the process.
        nonisolated(unsafe) var errorData = Data()
        let drained = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            errorData = error.fileHandleForReading.readDataToEndOfFile()
            drained.signal()
        }
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        drained.wait()
        process.waitUntilExit()
        return (
            process.terminationStatus, String(decoding: outputData, as: UTF8.self),
            String(decoding: errorData, as: UTF8.self)
        )
    }

    /// A new, empty folder under the temporary directory for this process.
    /// Writes FOLDER/e.npy, 60 embeddings [60, 4] clustered by class (class c near 2·e_c), and FOLDER/l.npy,
    /// their labels i mod `classes`, for the commands that take --embeddings and --labels.
    static func writeClusteredEmbeddings(in folder: URL, classes: Int, seed: UInt64) throws {
        var generator = SeededGenerator(seed: seed)
        let labels = (0..<60).map { $0 % classes }
        try NPY.write(
            try Tensor(
                shape: [60, 4],
                scalars: labels.flatMap { l in (0..<4).map { Float($0 == l ? 2 : 0) + generator.nextNormal() } }),
            to: folder.appendingPathComponent("e.npy"))
        try NPY.write(labels: labels, to: folder.appendingPathComponent("l.npy"))
    }

    static func temporaryFolder(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tripletkit-\(name)-\(getpid())")
        try? FileManager.default.removeItem(at: url)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
