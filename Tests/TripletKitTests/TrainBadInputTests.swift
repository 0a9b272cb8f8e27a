import Foundation
import Testing
import TripletKit

/// `triplet train` on bad input: each case stops before training with a non-zero status and one line
/// that names what is wrong.
@Suite("triplet train: bad input")
struct TrainBadInputTests {
    /// Runs `triplet` and returns its exit status and standard error.
    static func run(_ arguments: [String]) throws -> (status: Int32, error: String) {
        let result = try TripletProcess.run(arguments)
        return (result.status, result.error)
    }

    /// A folder of `classes` classes with two small PNGs each (`size` × `size`).
    static func imageFolder(_ root: URL, classes: [String], size: Int = 8) throws {
        for name in classes {
            let folder = root.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for i in 0..<2 {
                let png = try ImageEncoder.png(
                    width: size, height: size, channels: 1, pixels: (0..<size * size).map { UInt8(($0 * 7 + i) % 256) })
                try Data(png).write(to: folder.appendingPathComponent("\(i).png"))
            }
        }
    }

    @Test func eachBadInputIsAClearError() throws {
        let root = try TrainingSourcesTests.temporaryFolder("bad-train")
        defer { try? FileManager.default.removeItem(at: root) }
        let out = root.appendingPathComponent("out").path
        func expectError(_ arguments: [String], mentions words: [String]) throws {
            let (status, error) = try Self.run(["train", "--out", out, "--epochs", "1"] + arguments)
            #expect(status != 0, "\(arguments) should fail")
            for word in words { #expect(error.contains(word), "\(arguments): \(error)") }
            #expect(!error.contains("Fatal error"), "\(arguments) crashed: \(error)")
        }
        let empty = root.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        try expectError(["--data", empty.path], mentions: [empty.path])
        try expectError(["--data", root.appendingPathComponent("missing").path], mentions: ["missing"])

        let one = root.appendingPathComponent("one")
        try Self.imageFolder(one, classes: ["cat"])
        try expectError(["--data", one.path, "--split-classes", "none"], mentions: ["class"])

        let broken = root.appendingPathComponent("broken")
        try Self.imageFolder(broken, classes: ["a", "b", "c", "d"])
        let good = try Data(contentsOf: broken.appendingPathComponent("a/0.png"))
        try good.prefix(good.count / 2).write(to: broken.appendingPathComponent("b/1.png"))
        try expectError(["--data", broken.path], mentions: ["b/1.png"])

        let mixed = root.appendingPathComponent("mixed")
        try Self.imageFolder(mixed, classes: ["a", "b"], size: 8)
        try Self.imageFolder(mixed, classes: ["c"], size: 12)
        try expectError(["--data", mixed.path], mentions: ["--image-size"])

        let tripletFile = root.appendingPathComponent("triplets.csv")
        try "0,1,2\n0,1,nonexistent.png\n".write(to: tripletFile, atomically: true, encoding: .utf8)
        try expectError(
            ["--data", broken.path, "--skip-bad-files", "--triplets", tripletFile.path],
            mentions: ["nonexistent.png", "line 2"])

        try expectError(["--features", root.appendingPathComponent("x.npy").path], mentions: ["--feature-labels"])
        try expectError(["--eval-features", "x.npy"], mentions: ["--eval-feature-labels"])
        try expectError(["--eval-data", "x", "--eval-features", "x.npy"], mentions: ["not both"])
        try expectError(["--loss", "triplet-margin+ce", "--ce-weight", "-1"], mentions: ["--ce-weight"])
        try expectError(
            ["--data", broken.path, "--skip-bad-files", "--triplets", tripletFile.path, "--loss", "contrastive"],
            mentions: ["--loss", "explicit triplets"])

        let unknownLayer = root.appendingPathComponent("unknown.json")
        try #"[{"flatten": {}}, {"swish": {}}]"#.write(to: unknownLayer, atomically: true, encoding: .utf8)
        try expectError(["--model", "mlp", "--limit", "500", "--architecture", unknownLayer.path], mentions: ["swish"])
        let wrongShape = root.appendingPathComponent("shape.json")
        try #"[{"flatten": {}}, {"dense": {"inputs": 100, "outputs": 8, "bias": true}}]"#.write(
            to: wrongShape, atomically: true, encoding: .utf8)
        try expectError(["--limit", "500", "--architecture", wrongShape.path], mentions: ["layer 1", "784"])
    }
}
