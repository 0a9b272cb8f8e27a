import Foundation
import Testing
import TripletKit

/// `triplet fit-linear`: both learners write a model folder that `TrainedModel` and `triplet evaluate`
/// load, and bad inputs stop with a clear one-line error.
@Suite("triplet fit-linear")
struct FitLinearCommandTests {
    /// Three well-separated classes of 4-D features (scaled to about unit norm) with labels.
    static func features(in root: URL) throws -> (x: String, y: String) {
        var g = SeededGenerator(seed: 11)
        let n = 60, d = 4
        let labels = (0..<n).map { $0 % 3 }
        let scalars = (0..<n * d).map { i -> Float in
            let sample = i / d, feature = i % d
            return (feature == labels[sample] ? 0.6 : 0) + 0.2 * g.nextNormal()
        }
        let x = root.appendingPathComponent("x.npy"), y = root.appendingPathComponent("y.npy")
        try NPY.write(try Tensor(shape: [n, d], scalars: scalars), to: x)
        try NPY.write(labels: labels, to: y)
        return (x.path, y.path)
    }

    @Test(arguments: ["oasis", "relative-comparisons", "relative-comparisons-full"])
    func aFittedModelLoadsAndEvaluates(learner: String) throws {
        let root = try TripletProcess.temporaryFolder("fit-linear-\(learner)")
        defer { try? FileManager.default.removeItem(at: root) }
        let (x, y) = try Self.features(in: root)
        let out = root.appendingPathComponent("model").path
        let fit = try TripletProcess.run([
            "fit-linear", "--learner", learner, "--features", x, "--feature-labels", y, "--c", "0.1",
            "--comparisons", "3000", "--seed", "1", "--out", out,
        ])
        #expect(fit.status == 0, "\(fit.error)")
        let model = try TrainedModel(directory: URL(fileURLWithPath: out))
        #expect(model.linear?.learner.rawValue == learner)
        #expect(model.metric == (learner == "oasis" ? .dot : .euclidean))
        #expect(model.inputShape == [4])

        let evaluation = try TripletProcess.run([
            "evaluate", "--model", out, "--features", x, "--feature-labels", y,
            "--out", root.appendingPathComponent("evaluation.json").path,
        ])
        #expect(evaluation.status == 0, "\(evaluation.error)")
        let line = try #require(evaluation.output.split(separator: "\n").first { $0.hasPrefix("precision@1") })
        let precision = try #require(Double(line.split(separator: " ").last ?? ""))
        #expect(precision > 0.9, "\(evaluation.output)")
    }

    @Test func relativeComparisonsEmbedAsTheLearnedMetric() throws {
        let root = try TripletProcess.temporaryFolder("fit-linear-metric")
        defer { try? FileManager.default.removeItem(at: root) }
        let (x, y) = try Self.features(in: root)
        let out = root.appendingPathComponent("model")
        let summary = try LinearFit(
            learner: .relativeComparisons, source: .npy(features: x, labels: y), c: 0.5, comparisons: 500, seed: 2
        ).run(to: out)
        #expect(summary.detail <= 1e-6 * summary.objective)
        let model = try TrainedModel(directory: out)
        let data = try NPY.readTensor(contentsOf: URL(fileURLWithPath: x))
        let e = try model.embed(data)
        let weights = (0..<4).map { Double(model.network.stateDict()[0].1[$0, $0]) }
        // ‖e_a − e_b‖² = Σ w (x_a − x_b)² with w = diag(P)².
        for (a, b) in [(0, 1), (5, 17), (30, 59)] {
            let embedded = (0..<e.rowWidth).reduce(0.0) { $0 + pow(Double(e[a, $1] - e[b, $1]), 2) }
            let direct = (0..<4).reduce(0.0) {
                $0 + weights[$1] * weights[$1] * pow(Double(data[a, $1] - data[b, $1]), 2)
            }
            #expect(abs(embedded - direct) <= 1e-4 * max(direct, 1e-3))
        }
    }

    @Test func eachBadInputIsAClearError() throws {
        let root = try TripletProcess.temporaryFolder("fit-linear-bad")
        defer { try? FileManager.default.removeItem(at: root) }
        let (x, y) = try Self.features(in: root)
        let out = root.appendingPathComponent("out").path
        func expectError(_ arguments: [String], mentions words: [String]) throws {
            let result = try TripletProcess.run(["fit-linear", "--out", out] + arguments)
            #expect(result.status != 0, "\(arguments) should fail")
            for word in words { #expect(result.error.contains(word), "\(arguments): \(result.error)") }
            #expect(!result.error.contains("Fatal error"), "\(arguments) crashed: \(result.error)")
        }
        let features = ["--features", x, "--feature-labels", y]
        // No triplets in the file.
        let empty = root.appendingPathComponent("empty.csv")
        try "# nothing\n".write(to: empty, atomically: true, encoding: .utf8)
        try expectError(["--learner", "oasis", "--features", x, "--triplets", empty.path], mentions: ["no triplets"])
        // Every comparison already satisfied by W = I (anchor = positive far from a zero-similarity negative).
        let big = root.appendingPathComponent("big.npy")
        try NPY.write(try Tensor(rows: [[3, 0], [0, 3], [3, 0]]), to: big)
        let satisfied = root.appendingPathComponent("satisfied.csv")
        try "0,2,1\n".write(to: satisfied, atomically: true, encoding: .utf8)
        try expectError(
            ["--learner", "oasis", "--features", big.path, "--triplets", satisfied.path], mentions: ["already hold"])
        // No comparison can be satisfied by w ≥ 0: the negative is the anchor's twin.
        let twin = root.appendingPathComponent("twin.csv")
        try "2,1,0\n".write(to: twin, atomically: true, encoding: .utf8)
        try expectError(
            ["--learner", "relative-comparisons", "--features", big.path, "--triplets", twin.path], mentions: ["w = 0"])
        // NaN features.
        let nan = root.appendingPathComponent("nan.npy")
        try NPY.write(try Tensor(rows: [[1, .nan], [0, 1], [1, 1]]), to: nan)
        try expectError(
            ["--learner", "oasis", "--features", nan.path, "--triplets", satisfied.path], mentions: ["nan"])
        // A triplet index beyond the samples; labels of another count; one class; a bad C; a bad learner.
        let far = root.appendingPathComponent("far.csv")
        try "0,1,7\n".write(to: far, atomically: true, encoding: .utf8)
        try expectError(
            ["--learner", "oasis", "--features", big.path, "--triplets", far.path], mentions: ["7", "range"])
        let short = root.appendingPathComponent("short.npy")
        try NPY.write(labels: [0, 1], to: short)
        try expectError(["--learner", "oasis", "--features", x, "--feature-labels", short.path], mentions: ["labels"])
        let one = root.appendingPathComponent("one.npy")
        try NPY.write(labels: Array(repeating: 0, count: 60), to: one)
        try expectError(
            ["--learner", "relative-comparisons", "--features", x, "--feature-labels", one.path], mentions: ["class"])
        try expectError(["--learner", "oasis", "--c", "0"] + features, mentions: ["C"])
        try expectError(["--learner", "lmnn"] + features, mentions: ["lmnn"])
        try expectError(["--learner", "oasis", "--features", x], mentions: ["--feature-labels"])
    }

    @Test func helpShowsAnExample() throws {
        let help = try TripletProcess.run(["fit-linear", "--help"])
        #expect(help.output.contains("triplet fit-linear --learner relative-comparisons \\"))
    }
}
