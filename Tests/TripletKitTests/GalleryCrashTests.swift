import Foundation
import Testing
import TripletKit

/// `triplet gallery enroll` of a large batch killed with SIGKILL mid-transaction leaves the gallery as it
/// was before or after the enrollment, never with part of its rows.
@Suite("Gallery enroll killed mid-transaction")
struct GalleryCrashTests {
    static let rows = 50_000
    static let dimension = 16

    /// Runs `triplet` to the end and returns its standard output.
    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let result = try TripletProcess.run(arguments)
        return (result.status, result.output)
    }

    /// The number of embeddings `triplet gallery list` reports.
    static func storedEmbeddings(_ common: [String]) throws -> Int? {
        let (status, output) = try run(["gallery", "list"] + common)
        guard status == 0, let first = output.split(separator: "\n").first else { return nil }
        let words = first.split(separator: " ")
        return words.count >= 3 ? Int(words[2]) : nil
    }

    /// The size of a file, 0 when it does not exist.
    static func size(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }

    @Test func killedEnrollLeavesAllOrNothing() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("tripletkit-gallery-crash-\(getpid())")
        try? FileManager.default.removeItem(at: base)
        let modelDir = base.appendingPathComponent("model")
        try FileManager.default.createDirectory(at: modelDir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: base) }
        // Only the fingerprint of the model is needed for stored embeddings.
        try Data((0..<256).map { UInt8($0) }).write(to: modelDir.appendingPathComponent("model.safetensors"))
        var generator = SeededGenerator(seed: 7)
        let big = try Tensor(
            shape: [Self.rows, Self.dimension],
            scalars: (0..<(Self.rows * Self.dimension)).map { _ in Float.random(in: -1...1, using: &generator) })
        let bigPath = base.appendingPathComponent("big.npy")
        try NPY.write(big, to: bigPath)
        let small = try Tensor(shape: [10, Self.dimension], scalars: Array(big.scalars[0..<(10 * Self.dimension)]))
        let smallPath = base.appendingPathComponent("small.npy")
        try NPY.write(small, to: smallPath)

        let gallery = base.appendingPathComponent("g.sqlite").path
        let common = ["--gallery", gallery, "--model", modelDir.path, "--dimension", "\(Self.dimension)"]
        #expect(
            try Self.run(["gallery", "enroll", "--name", "base", "--embeddings", smallPath.path] + common).status == 0)
        var expected = 10
        // Kill points: once the WAL has grown by 100 kB, 1 MB and 2 MB during the enrollment (its rows take
        // about 3.5 MB), and after fixed delays.
        let killAt: [(walBytes: Int, delay: Double)] = [(100_000, 0), (1_000_000, 0), (2_000_000, 0), (0, 0.7)]
        var killedMidway = 0
        for (attempt, point) in killAt.enumerated() {
            let process = Process()
            process.executableURL = ResumeTests.executable
            process.arguments =
                ["gallery", "enroll", "--name", "big-\(attempt)", "--embeddings", bigPath.path] + common
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            let walBefore = Self.size(gallery + "-wal")
            try process.run()
            let deadline = Date().addingTimeInterval(30)
            if point.walBytes > 0 {
                while process.isRunning, Self.size(gallery + "-wal") < walBefore + point.walBytes, Date() < deadline {
                    usleep(200)
                }
            } else {
                usleep(UInt32(point.delay * 1_000_000))
            }
            let wasRunning = process.isRunning
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let stored = try #require(try Self.storedEmbeddings(common))
            #expect(stored == expected || stored == expected + Self.rows, "attempt \(attempt): \(stored) rows")
            if stored == expected + Self.rows { expected += Self.rows } else if wasRunning { killedMidway += 1 }
        }
        // At least one kill must have landed during the enrollment for the test to mean something.
        #expect(killedMidway >= 1)
    }
}
