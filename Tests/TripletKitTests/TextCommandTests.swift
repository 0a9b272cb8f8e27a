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

/// `triplet text train` killed with SIGKILL after a checkpoint, then resumed, ends with the weights of a run
/// never interrupted (tiny BERT, 2 epochs of 100 steps, a checkpoint every 10).
@Suite("triplet text train: checkpoints")
struct TextResumeTests {
    @Test func killedTextTrainingResumesToTheSameWeights() throws {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("TripletTextTests/Fixtures")
        let folder = try TripletProcess.temporaryFolder("text-resume")
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = try TextDemoTests.tinyModel(in: folder, fixtures: fixtures)
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        let pairs = (0..<400).map { i in
            let word = String((0..<(3 + i % 5)).map { letters[(i * 7 + $0 * 3) % 26] })
            return "\(word) \(letters[i % 26])\t\(letters[i % 26]) \(word)"
        }
        let file = folder.appendingPathComponent("pairs.tsv")
        try (pairs.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        let arguments = [
            "text", "train", "--model", model.path, "--triplets", file.path, "--epochs", "2", "--batch-size", "4",
            "--lr", "1e-3", "--checkpoint-every", "10", "--threads", "1",
        ]
        let straight = folder.appendingPathComponent("straight"), killed = folder.appendingPathComponent("killed")
        let reference = try ResumeTests.launch(arguments + ["--out", straight.path])
        reference.waitUntilExit()
        try #require(reference.terminationStatus == 0)

        let victim = try ResumeTests.launch(arguments + ["--out", killed.path])
        let progress = killed.appendingPathComponent("checkpoint/progress.json")
        let deadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: progress.path) && victim.isRunning && Date() < deadline {
            usleep(1_000)
        }
        kill(victim.processIdentifier, SIGKILL)
        victim.waitUntilExit()
        #expect(
            !FileManager.default.fileExists(atPath: killed.appendingPathComponent("model.safetensors").path),
            "the run finished before it could be killed; the test proves less")
        let resumed = try TripletProcess.run(arguments + ["--out", killed.path, "--resume"])
        #expect(resumed.status == 0, "\(resumed.error)")
        #expect(resumed.output.contains("resumed after step"))
        let a = try SafeTensors.read(from: straight.appendingPathComponent("model.safetensors")).tensors
        let b = try SafeTensors.read(from: killed.appendingPathComponent("model.safetensors")).tensors
        #expect(a.map(\.0) == b.map(\.0))
        for ((name, x), (_, y)) in zip(a, b) { #expect(x == y, "\(name) differs") }
        // Other settings than the checkpoint's are refused by name.
        let other = try TripletProcess.run(
            arguments.map { $0 == "1e-3" ? "2e-3" : $0 } + ["--out", killed.path, "--resume"])
        #expect(other.status != 0 && other.error.contains("lr"), "\(other.error)")
    }
}

/// `triplet text demo` end to end on the tiny BERT and a hand-written WordNet: the task files, both
/// accuracies and the fine-tuned model are written.
@Suite("triplet text demo")
struct TextDemoTests {
    /// The tiny BERT of the TripletText fixtures with a vocabulary that fits its 120 ids.
    static func tinyModel(in folder: URL, fixtures: URL) throws -> URL {
        let model = folder.appendingPathComponent("tiny")
        try FileManager.default.createDirectory(at: model, withIntermediateDirectories: true)
        for name in ["config.json", "model.safetensors"] {
            try FileManager.default.copyItem(
                at: fixtures.appendingPathComponent("tiny-bert/\(name)"), to: model.appendingPathComponent(name))
        }
        // The tiny BERT knows 120 ids: special tokens, letters and their "##" continuations, punctuation.
        let letters = "abcdefghijklmnopqrstuvwxyz".map(String.init)
        let vocabulary =
            ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + letters + letters.map { "##" + $0 }
            + [".", ",", ";", "'", "-", "(", ")"]
        try (vocabulary.joined(separator: "\n") + "\n").write(
            to: model.appendingPathComponent("vocab.txt"), atomically: true, encoding: .utf8)
        return model
    }

    @Test func demoWritesTheTaskTheModelAndBothAccuracies() throws {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("TripletTextTests/Fixtures")
        let folder = try TripletProcess.temporaryFolder("text-demo")
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = try Self.tinyModel(in: folder, fixtures: fixtures)
        let out = folder.appendingPathComponent("demo")
        let run = try TripletProcess.run([
            "text", "demo", "--model", model.path, "--out", out.path, "--wordnet",
            fixtures.appendingPathComponent("wordnet").path, "--held-out", "0.3", "--batch-size", "2", "--lr", "1e-3",
            "--threads", "1",
        ])
        #expect(run.status == 0, "\(run.error)")
        #expect(run.output.contains("before fine-tuning") && run.output.contains("after fine-tuning"))
        let results =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: out.appendingPathComponent("results.json"))) as? [String: Any]
        for key in ["before", "after", "random", "first_sense"] {
            let value = try #require(results?[key] as? Double, "\(key) in \(String(describing: results))")
            #expect((0...1).contains(value))
        }
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("model/model.safetensors").path))
        let train = try String(contentsOf: out.appendingPathComponent("train.tsv"), encoding: .utf8)
        #expect(train.split(separator: "\n").allSatisfy { $0.split(separator: "\t").count == 3 })
        let missing = try TripletProcess.run([
            "text", "demo", "--model", model.path, "--out", out.path, "--wordnet", "/nonexistent",
        ])
        #expect(missing.status != 0 && missing.error.contains("wordnet-base"), "\(missing.error)")

        // text search: the --k best lines, best first; embeddings of another file are refused.
        let lines = folder.appendingPathComponent("lines.txt")
        try "a river bank\na financial bank\na fish\n".write(to: lines, atomically: true, encoding: .utf8)
        let search = try TripletProcess.run([
            "text", "search", "--model", model.path, "--text", lines.path, "--query", "a bank", "--k", "2",
        ])
        #expect(search.status == 0, "\(search.error)")
        let ranked = search.output.split(separator: "\n")
        #expect(ranked.count == 2)
        let scores = ranked.compactMap { Double($0.split(separator: " ").first ?? "") }
        #expect(scores.count == 2 && scores[0] >= scores[1])
        let wrong = folder.appendingPathComponent("wrong.npy")
        try NPY.write(try Tensor(shape: [2, 3], scalars: [Float](repeating: 0, count: 6)), to: wrong)
        let refused = try TripletProcess.run([
            "text", "search", "--model", model.path, "--text", lines.path, "--query", "a bank", "--embeddings",
            wrong.path,
        ])
        #expect(refused.status != 0 && refused.error.contains("--embeddings"), "\(refused.error)")
    }
}
