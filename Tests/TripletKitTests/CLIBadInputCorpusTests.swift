import Foundation
import Testing
import TripletKit

/// Every `triplet` subcommand run with wrong, missing, contradictory and extreme arguments and with damaged
/// input files. Each run must exit non-zero within the time limit, by itself (not by a signal), with an
/// error on standard error and no crash report ("Fatal error", a backtrace).
@Suite("triplet: bad-input corpus")
struct CLIBadInputCorpusTests {
    /// The longest one run may take before it counts as a hang.
    static let timeout: TimeInterval = 20

    /// The argument lists, `@name` standing for the fixture file `name`.
    static func cases() -> [[String]] {
        let features = ["--features", "@x.npy", "--feature-labels", "@y.npy"]
        let train = [
            "train", "--model", "mlp", "--epochs", "1", "--batch-size", "8", "--samples-per-class", "2",
            "--split-classes", "none", "--no-report", "--out", "@out-train",
        ]
        let trainOn = train + features
        let fit = ["fit-linear", "--learner", "oasis", "--out", "@out-fit"]
        let embed = ["embed", "--out", "@out-embed.npy"]
        let evaluate = ["evaluate", "--out", "@out-eval.json"]
        let gallery = ["--gallery", "@out-gallery.sqlite", "--model", "@model"]
        var cases: [[String]] = [
            ["frobnicate"], ["train", "--no-such-flag"], ["gallery", "frobnicate"],
            // train: arguments
            trainOn + ["--epochs", "0"], trainOn + ["--epochs=-1"], trainOn + ["--epochs", "99999999999999999999"],
            trainOn + ["--batch-size", "0"], trainOn + ["--batch-size=-8"], trainOn + ["--samples-per-class", "0"],
            trainOn + ["--samples-per-class", "1000000"], trainOn + ["--batch-size", "1099511627776"],
            trainOn + ["--lr", "nan"], trainOn + ["--lr=-1"], trainOn + ["--lr", "inf"],
            trainOn + ["--margin", "nan"], trainOn + ["--margin=-1"], trainOn + ["--threads", "0"],
            trainOn + ["--threads=-1"], trainOn + ["--limit=-1"], trainOn + ["--limit", "0"],
            trainOn + ["--seed=-1"], trainOn + ["--loss", "bogus"], trainOn + ["--miner", "bogus"],
            trainOn + ["--optimizer", "bogus"], trainOn + ["--schedule", "bogus"], trainOn + ["--weight-decay=-1"],
            trainOn + ["--schedule", "step", "--gamma", "nan"], trainOn + ["--train-classes", "9-2"],
            trainOn + ["--coarse-groups", "x"], trainOn + ["--mpi-timeout=-1"], trainOn + ["--mpi-timeout", "nan"],
            trainOn + ["--augment-pad=-1"], trainOn + ["--mean", "nan"], trainOn + ["--std", "0"],
            trainOn + ["--triplets", "@triplets.txt"], trainOn + ["--architecture", "@architecture-huge.json"],
            trainOn + ["--architecture", "@architecture-bad.json"], trainOn + ["--architecture", "@missing.json"],
            trainOn + ["--csv", "@good.csv"],
            trainOn + ["--eval-features", "@x-truncated.npy", "--eval-feature-labels", "@y.npy"],
            // train: damaged data
            train + ["--features", "@x-truncated.npy", "--feature-labels", "@y.npy"],
            train + ["--features", "@x-header-only.npy", "--feature-labels", "@y.npy"],
            train + ["--features", "@x-huge-shape.npy", "--feature-labels", "@y.npy"],
            train + ["--features", "@x-overflow-shape.npy", "--feature-labels", "@y.npy"],
            train + ["--features", "@x-header-length.npy", "--feature-labels", "@y.npy"],
            train + ["--features", "@x-bad-dtype.npy", "--feature-labels", "@y.npy"],
            train + ["--features", "@garbage.bin", "--feature-labels", "@y.npy"],
            train + ["--features", "@empty.bin", "--feature-labels", "@y.npy"],
            train + ["--features", "@missing.npy", "--feature-labels", "@y.npy"],
            train + ["--features", "/dev/zero", "--feature-labels", "@y.npy"], train + ["--csv", "/dev/zero"],
            ["search", "--index", "/dev/zero", "--query", "@x.npy"],
            train + ["--features", "@idx", "--feature-labels", "@y.npy"],
            train + ["--features", "@x-nan.npy", "--feature-labels", "@y.npy"],
            train + ["--features", "@x-1d.npy", "--feature-labels", "@y.npy"],
            train + ["--features", "@x.npy", "--feature-labels", "@y-short.npy"],
            train + ["--features", "@x.npy", "--feature-labels", "@y-2d.npy"],
            train + ["--features", "@x.npy", "--feature-labels", "@y-fraction.npy"],
            train + ["--features", "@x.npy", "--feature-labels", "@x-truncated.npy"],
            train + ["--csv", "@ragged.csv"], train + ["--csv", "@text.csv"], train + ["--csv", "@unclosed.csv"],
            train + ["--csv", "@garbage.bin"], train + ["--csv", "@empty.bin"],
            train + ["--csv", "@good.csv", "--label-column", "nope"],
            train + ["--data", "@images-truncated"], train + ["--data", "@images-huge"],
            train + ["--data", "@images-truncated", "--image-size", "0"],
            train + ["--data", "@images-truncated", "--image-size", "100000x100000"],
            train + ["--data", "@images-truncated", "--image-size", "abc"],
            train + ["--data", "@missing-folder"], train + ["--dataset", "fashion-mnist", "--data-dir", "@idx"],
            train + ["--dataset", "imagenet"],
            ["train", "--resume", "--out", "@model-garbled-json"] + features,
            ["train", "--resume", "--out", "@model-truncated-weights"] + features,
            // fit-linear
            fit + ["--learner", "bogus"] + features, fit + ["--c=-1"] + features, fit + ["--c", "nan"] + features,
            fit + ["--comparisons=-5"] + features,
            fit + ["--rank", "0", "--learner", "relative-comparisons-full"]
                + features,
            fit + ["--epochs=-1", "--learner", "relative-comparisons-full"] + features,
            fit + ["--triplets", "@triplets.txt"] + features,
            fit + ["--features", "@x-truncated.npy", "--feature-labels", "@y.npy"],
            fit + ["--csv", "@ragged.csv"], fit + ["--dataset", "fashion-mnist", "--data-dir", "@idx"],
            // embed
            embed + ["--model", "@missing-model"] + features, embed + ["--model", "@model-garbled-json"] + features,
            embed + ["--model", "@model-empty-json"] + features, embed + ["--model", "@model-huge-layer"] + features,
            embed + ["--model", "@model-negative-layer"] + features,
            embed + ["--model", "@model-truncated-weights"] + features,
            embed + ["--model", "@model-huge-header"] + features,
            embed + ["--model", "@model-garbage-weights"] + features,
            embed + ["--model", "@model", "--features", "@x-3wide.npy"],
            embed + ["--model", "@model", "--features", "@x-huge-shape.npy"],
            embed + ["--model", "@model", "--image", "@garbage.png"],
            embed + ["--model", "@model", "--image", "@huge.png"],
            embed + ["--model", "@model", "--image", "@huge.pgm"],
            embed + ["--model", "@model", "--threads=-1"] + features,
            ["embed", "--model", "@model", "--out", "@missing-folder/e.npy"] + features,
            // evaluate
            evaluate + ["--embeddings", "@x-truncated.npy", "--labels", "@y.npy"],
            evaluate + ["--embeddings", "@x.npy", "--labels", "@y-short.npy"],
            evaluate + ["--embeddings", "@x-nan.npy", "--labels", "@y.npy"],
            evaluate + ["--embeddings", "@x.npy", "--labels", "@y.npy", "--k", "0"],
            evaluate + ["--embeddings", "@x.npy", "--labels", "@y.npy", "--k=-1"],
            evaluate + ["--embeddings", "@x.npy", "--labels", "@y.npy", "--recall-at", "a,b"],
            evaluate + ["--embeddings", "@x.npy", "--labels", "@y.npy", "--recall-at", "0"],
            evaluate + ["--embeddings", "@x.npy", "--labels", "@y.npy", "--metric", "bogus"],
            evaluate + ["--embeddings", "@x.npy", "--labels", "@y.npy", "--verification-samples=-1"],
            evaluate + ["--embeddings", "@x.npy", "--labels", "@y.npy", "--coarse-groups", "x:y"],
            evaluate + ["--embeddings", "@x.npy", "--labels", "@y.npy", "--ndcg-k", "0", "--coarse-groups", "0,1:2,3"],
            evaluate + ["--embeddings", "@x.npy", "--labels", "@y.npy", "--model", "@model"],
            evaluate + ["--embeddings", "@x.npy"], evaluate,
            evaluate + ["--model", "@model-huge-layer"] + features,
            // index build and search
            ["index", "build", "--embeddings", "@x-truncated.npy", "--out", "@out.tkindex"],
            ["index", "build", "--embeddings", "@x.npy", "--labels", "@y-short.npy", "--out", "@out.tkindex"],
            ["index", "build", "--embeddings", "@x-nan.npy", "--out", "@out.tkindex"],
            ["index", "build", "--embeddings", "@x.npy", "--metric", "bogus", "--out", "@out.tkindex"],
            ["index", "build", "--embeddings", "@x.npy", "--out", "@missing-folder/i.tkindex"],
            ["search", "--index", "@truncated.tkindex", "--query", "@x.npy"],
            ["search", "--index", "@flipped.tkindex", "--query", "@x.npy"],
            ["search", "--index", "@oversized.tkindex", "--query", "@x.npy"],
            ["search", "--index", "@garbage.bin", "--query", "@x.npy"],
            ["search", "--index", "@missing.tkindex", "--query", "@x.npy"],
            ["search", "--index", "@good.tkindex", "--query", "@x-3wide.npy"],
            ["search", "--index", "@good.tkindex", "--query", "@x-truncated.npy"],
            ["search", "--index", "@good.tkindex", "--query", "@x.npy", "-k", "0"],
            ["search", "--index", "@good.tkindex", "--query", "@x.npy", "-k", "1099511627776"],
            ["search", "--index", "@good.tkindex", "--model", "@model", "--features", "@x.npy", "--query-rows", "x"],
            ["search", "--index", "@good.tkindex", "--model", "@model", "--features", "@x.npy", "--query-rows", "99"],
            ["search", "--index", "@good.tkindex"],
            // report
            ["report", "@missing-folder"], ["report", "@model-garbled-json"], ["report", "@model", "--samples=-1"],
            ["report", "@model", "--neighbors", "0"],
            // bench
            ["bench", "losses", "--batch-size", "0"], ["bench", "losses", "--batch-size=-1"],
            ["bench", "losses", "--dim", "0"], ["bench", "losses", "--classes", "0"],
            ["bench", "losses", "--miner", "bogus"], ["bench", "losses", "--repeats", "0"],
            ["bench", "losses", "--batch-size", "1099511627776"], ["bench", "losses", "--dim", "1099511627776"],
            ["bench", "knn", "--queries", "0"], ["bench", "knn", "--references=-1"], ["bench", "knn", "-k", "0"],
            ["bench", "knn", "--dim", "1099511627776"], ["bench", "knn", "--queries", "1099511627776"],
            ["bench", "gallery", "--embeddings", "0"], ["bench", "gallery", "--identities", "0"],
            ["bench", "gallery", "-k", "0"], ["bench", "gallery", "--dim", "1099511627776"],
            ["bench", "linear", "--train", "@missing.npy"], ["bench", "linear", "--train", "@x-truncated.npy"],
            // gallery
            ["gallery", "create", "--gallery", "@gallery-garbage.sqlite", "--model", "@model"],
            ["gallery", "create", "--gallery", "@missing-folder/g.sqlite", "--model", "@model"],
            ["gallery", "create", "--gallery", "@out-g0.sqlite", "--model", "@model-huge-layer"],
            ["gallery", "create", "--gallery", "@out-g1.sqlite", "--model", "@missing-model", "--dimension", "0"],
            ["gallery", "create", "--gallery", "@out-g2.sqlite", "--model", "@missing-model", "--dimension=-4"],
            [
                "gallery", "enroll", "--gallery", "@gallery-garbage.sqlite", "--model", "@model", "--name", "a",
                "--npy", "@x.npy",
            ],
            ["gallery", "enroll"] + gallery + ["--name", "a", "--npy", "@x-truncated.npy"],
            // Stored embeddings of another width than the model's never create a gallery.
            [
                "gallery", "enroll", "--gallery", "@out-g3.sqlite", "--model", "@model", "--name", "a", "--embeddings",
                "@x.npy",
            ],
            ["gallery", "enroll"] + gallery + ["--name", "a", "--image", "@huge.png"],
            ["gallery", "enroll"] + gallery + ["--name", "a"] + features + ["--rows", "x"],
            ["gallery", "identify"] + gallery + ["--npy", "@x.npy", "-k", "0"],
            ["gallery", "identify", "--gallery", "@gallery-garbage.sqlite", "--model", "@model", "--npy", "@x.npy"],
            ["gallery", "verify"] + gallery + ["--name", "nobody", "--npy", "@x.npy"],
            ["gallery", "calibrate"] + gallery + ["--target-far", "2"] + features,
            ["gallery", "calibrate"] + gallery + ["--target-far", "nan"] + features,
            ["gallery", "list", "--gallery", "@gallery-garbage.sqlite", "--model", "@model"],
            ["gallery", "remove"] + gallery + ["--name", "nobody"],
            ["gallery", "rename"] + gallery + ["--name", "nobody", "--to", "x"],
            ["gallery", "export", "--gallery", "@gallery-garbage.sqlite", "--model", "@model", "--out", "@out-export"],
            [
                "gallery", "demo", "--model", "@model-garbled-json", "--gallery", "@out-demo.sqlite", "--data-dir",
                "@idx",
            ],
            ["gallery", "demo", "--model", "@model", "--gallery", "@out-demo.sqlite", "--target-far=-1"],
        ]
        cases.append(
            contentsOf: ["train", "fit-linear", "embed", "evaluate", "search", "report"].map { [$0, "--threads", "x"] })
        return cases
    }

    /// Why one run's outcome is not a clean failure, or nil when it is.
    static func problem(_ outcome: TripletProcess.Outcome) -> String? {
        if outcome.timedOut { return "still running after \(timeout) s" }
        if outcome.crashed { return "killed by signal \(outcome.status)" }
        if outcome.status == 0 { return "exit status 0" }
        for sign in ["Fatal error", "Backtracing", "Program crashed", "Stack dump", "Swift runtime failure"]
        where outcome.error.contains(sign) {
            return "a crash report (\(sign))"
        }
        let lines = outcome.error.split(separator: "\n").filter { !$0.hasPrefix("epoch ") }
        guard let first = lines.first, first.hasPrefix("Error: ") else { return "no \"Error: \" line on stderr" }
        // An argument error adds ArgumentParser's choices, help line, usage and pointer to --help; nothing else.
        let parserLines = ["  - ", "Help: ", "Usage: ", "  See "]
        if let other = lines.dropFirst().first(where: { line in !parserLines.contains { line.hasPrefix($0) } }) {
            return "more than one line of error: \(other)"
        }
        return nil
    }

    @Test func everyBadInputFailsCleanly() throws {
        let root = try TripletProcess.temporaryFolder("bad-input-corpus")
        defer { try? FileManager.default.removeItem(at: root) }
        let fixtures = try BadInputFixtures(root: root)
        try fixtures.trainModels()
        let cases = Self.cases().map { arguments in
            arguments.map { $0.hasPrefix("@") ? fixtures.path(String($0.dropFirst())) : $0 }
        }
        let lock = NSLock()
        nonisolated(unsafe) var failures: [String] = []
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            for arguments in cases.enumerated().filter({ $0.offset % 4 == worker }).map(\.element) {
                let report: String?
                do {
                    let outcome = try TripletProcess.run(arguments, timeout: Self.timeout)
                    report = Self.problem(outcome).map { "\($0)\n\(outcome.error.prefix(600))" }
                } catch {
                    report = "could not run: \(error)"
                }
                if let report {
                    lock.withLock { failures.append("triplet \(arguments.joined(separator: " ")): \(report)") }
                }
            }
        }
        #expect(failures.isEmpty, "\(failures.count) of \(cases.count) cases:\n\(failures.joined(separator: "\n\n"))")
    }
}
