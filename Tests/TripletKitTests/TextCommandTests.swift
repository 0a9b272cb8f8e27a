import Foundation
import Testing
import TripletKit

/// `triplet text embed` and `triplet text train` on bad input: each a non-zero exit with a line naming the problem.
@Suite("triplet text: bad input")
struct TextCommandTests {
    @Test func badTextFilesAndModelFoldersAreClearErrors() throws {
        let folder = try TripletProcess.temporaryFolder("text-bad")
        defer { try? FileManager.default.removeItem(at: folder) }
        let good = folder.appendingPathComponent("good.txt")
        try "a sentence\n".write(to: good, atomically: true, encoding: .utf8)
        let binary = folder.appendingPathComponent("binary.txt")
        try Data([0xFF, 0xFE, 0x00, 0xC3, 0x28]).write(to: binary)
        let empty = folder.appendingPathComponent("empty.txt")
        try Data().write(to: empty)
        let out = folder.appendingPathComponent("e.npy").path
        for (arguments, words) in [
            (["--model", folder.path, "--text", good.path], ["config.json"]),
            (["--model", folder.path, "--text", binary.path], ["UTF-8"]),
            (["--model", folder.path, "--text", empty.path], ["no lines"]),
            (
                ["--model", folder.path, "--text", folder.appendingPathComponent("missing.txt").path],
                ["cannot be read"]
            ),
            (["--model", folder.path, "--text", good.path, "--batch-size", "0"], ["--batch-size"]),
        ] {
            let run = try TripletProcess.run(["text", "embed", "--out", out] + arguments)
            check(run, arguments, words)
        }
        let pairs = folder.appendingPathComponent("pairs.tsv")
        try "anchor\tpositive\nno tab here\n".write(to: pairs, atomically: true, encoding: .utf8)
        for (arguments, words) in [
            (["--triplets", pairs.path], ["line 2", "1 column"]),
            (["--triplets", binary.path], ["UTF-8"]),
            (["--triplets", pairs.path, "--batch-size", "1"], ["--batch-size"]),
            (["--triplets", pairs.path, "--warmup", "2"], ["--warmup"]),
            (["--triplets", pairs.path, "--loss", "contrastive"], ["--loss"]),
        ] {
            let run = try TripletProcess.run(["text", "train", "--model", folder.path, "--out", out] + arguments)
            check(run, arguments, words)
        }
    }

    /// A non-zero exit whose error mentions every one of `words`, without a crash.
    func check(_ run: (status: Int32, output: String, error: String), _ arguments: [String], _ words: [String]) {
        #expect(run.status != 0, "\(arguments)")
        for word in words { #expect(run.error.contains(word), "\(arguments): \(run.error)") }
        #expect(!run.error.contains("Fatal error"))
    }
}
