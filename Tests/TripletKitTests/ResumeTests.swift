import Foundation
import Testing
import TripletKit

/// `triplet train` killed with SIGKILL in the middle of an epoch, then resumed, ends with the same weights
/// as a run that was never interrupted — a run of a custom architecture from a file (residual block, GELU,
/// LayerNorm, dropout), a warm-up + cosine schedule and augmentation.
@Suite(
    "Checkpoint and resume", .enabled(if: FileManager.default.fileExists(atPath: FashionMNIST.defaultDirectory.path)))
struct ResumeTests {
    static let arguments = [
        "train", "--miner", "semihard", "--epochs", "3", "--limit", "3000", "--threads", "2", "--seed", "5",
        "--batch-size", "64", "--samples-per-class", "8", "--schedule", "cosine", "--warmup-epochs", "1",
        "--augment-pad", "2", "--augment-flip", "--no-report",
    ]

    /// The architecture file of the run.
    static let architecture = """
        [{"flatten": {}}, {"dense": {"inputs": 784, "outputs": 96, "bias": true}}, {"gelu": {}},
         {"residual": {"body": [{"dense": {"inputs": 96, "outputs": 96, "bias": true}}, {"relu": {}},
                                {"dropout": {"p": 0.1}}]}},
         {"layerNorm": {"normalizedShape": [96], "eps": 1e-5, "elementwiseAffine": true}},
         {"dense": {"inputs": 96, "outputs": 32, "bias": true}}, {"l2Normalize": {}}]
        """

    /// The `triplet` executable next to the test bundle.
    static var executable: URL {
        let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("triplet")
        if FileManager.default.isExecutableFile(atPath: besideTests.path) { return besideTests }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/triplet")
    }

    static func launch(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    static func epoch(in folder: URL) -> Int? {
        guard let data = try? Data(contentsOf: folder.appendingPathComponent("model.json")),
            let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return nil }
        return json["epoch"] as? Int
    }

    @Test func killedRunResumesToTheSameWeights() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("tripletkit-resume-\(getpid())")
        defer { try? FileManager.default.removeItem(at: base) }
        let straight = base.appendingPathComponent("straight"), killed = base.appendingPathComponent("killed")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        let file = base.appendingPathComponent("architecture.json")
        try Self.architecture.write(to: file, atomically: true, encoding: .utf8)
        let arguments = Self.arguments + ["--architecture", file.path]

        let reference = try Self.launch(arguments + ["--out", straight.path])
        reference.waitUntilExit()
        try #require(reference.terminationStatus == 0, "the uninterrupted run failed")

        // Kill the second run as soon as its first checkpoint is committed: it is then inside epoch 2.
        let victim = try Self.launch(arguments + ["--out", killed.path])
        let deadline = Date().addingTimeInterval(300)
        while Self.epoch(in: killed) == nil && victim.isRunning && Date() < deadline { usleep(2_000) }
        kill(victim.processIdentifier, SIGKILL)
        victim.waitUntilExit()
        let reached = try #require(Self.epoch(in: killed), "no checkpoint was written before the kill")
        #expect(reached < 3, "the run finished before it could be killed; the test proves less")

        let resumed = try Self.launch(arguments + ["--out", killed.path, "--resume"])
        resumed.waitUntilExit()
        try #require(resumed.terminationStatus == 0, "the resumed run failed")

        let a = try SafeTensors.read(from: straight.appendingPathComponent("model.safetensors")).tensors
        let b = try SafeTensors.read(from: killed.appendingPathComponent("model.safetensors")).tensors
        #expect(a.map(\.0) == b.map(\.0))
        for ((name, x), (_, y)) in zip(a, b) { #expect(x == y, "\(name) differs") }
        #expect(Self.epoch(in: killed) == 3)
    }

    @Test func corruptModelFilesGiveErrorsNamingTheFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tripletkit-corrupt-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        func message(_ body: () throws -> Void) -> String {
            do {
                try body()
                return "no error"
            } catch { return "\(error)" }
        }
        // No folder content at all.
        #expect(message { _ = try TrainedModel(directory: folder) }.contains("model.json"))
        // A sidecar that is not JSON.
        try Data("{not json".utf8).write(to: folder.appendingPathComponent("model.json"))
        #expect(message { _ = try TrainedModel(directory: folder) }.contains("model.json"))
        // A valid sidecar with truncated weights.
        let config = TrainingConfig()
        let weights = folder.appendingPathComponent("model.safetensors")
        try Data([1, 2, 3]).write(to: weights)
        try Data(
            """
            {"format": "tripletkit-checkpoint", "version": 1, "architecture": [{"flatten": {}}], "input_shape": [1, 28, 28],
             "config": \(String(decoding: try JSONEncoder().encode(config), as: UTF8.self)), "epoch": 1,
             "optimizer_steps": 1, "state_file": "checkpoint/epoch-1.safetensors", "sampler_seed": 0, "dropout_states": [],
             "history": []}
            """.utf8
        ).write(to: folder.appendingPathComponent("model.json"))
        let truncated = message { _ = try TrainedModel(directory: folder) }
        #expect(truncated.contains("model.safetensors"), "\(truncated)")
    }
}
