import Foundation
import Testing

@testable import TripletKit

/// One key convention for every JSON file TripletKit writes (snake_case, `JSONFiles`), and model folders
/// written before it (camelCase configuration keys) still load.
@Suite("JSON files")
struct JSONFilesTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "Fixtures")

    /// Object keys of `json` that are not snake_case (`^[a-z0-9_]+$`), with their paths. The values of
    /// `architecture` (layer kinds and their configurations: the layer types' own names, as in
    /// `--architecture` files) and of `metadata` (a gallery identity's keys, the user's) are data, not
    /// TripletKit's keys, and are not looked into.
    static func nonSnakeKeys(_ json: Any, path: String = "") -> [String] {
        if let object = json as? [String: Any] {
            return object.sorted { $0.key < $1.key }.flatMap { key, value -> [String] in
                let here = path.isEmpty ? key : path + "." + key
                let bad = key.range(of: "^[a-z0-9_]+$", options: .regularExpression) == nil ? [here] : []
                return bad + (["architecture", "metadata"].contains(key) ? [] : nonSnakeKeys(value, path: here))
            }
        }
        if let array = json as? [Any] {
            return array.enumerated().flatMap { nonSnakeKeys($1, path: "\(path)[\($0)]") }
        }
        return []
    }

    static func jsonObject(_ url: URL) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(contentsOf: url))
    }

    /// Runs the `triplet` executable; returns its standard output (and fails on a non-zero exit).
    static func run(_ arguments: [String]) throws -> String {
        let result = try TripletProcess.run(arguments)
        #expect(result.status == 0, "triplet \(arguments.joined(separator: " ")) failed: \(result.error)")
        return result.output
    }

    static func temporaryFolder(_ name: String) throws -> URL { try TripletProcess.temporaryFolder("json-\(name)") }

    @Test func keyConversion() {
        let cases = [
            ("batchSize", "batch_size"), ("fashionMNIST", "fashion_mnist"), ("precisionAt1", "precision_at_1"),
            ("pAt1", "p_at_1"), ("imagesPerS", "images_per_s"), ("URLValue", "url_value"), ("epoch", "epoch"),
            ("input_shape", "input_shape"), ("map_at_r", "map_at_r"),
        ]
        for (name, snake) in cases { #expect(JSONFiles.snakeCase(name) == snake, "\(name)") }
        // Reading: snake_case and the camelCase of earlier files come to the same Swift name.
        #expect(JSONFiles.swiftName("batch_size") == "batchSize")
        #expect(JSONFiles.swiftName("batchSize") == "batchSize")
        #expect(JSONFiles.swiftName("fashion_mnist") == "fashionMnist")
        #expect(JSONFiles.swiftName("fashionMNIST") == "fashionMnist")
        #expect(JSONFiles.swiftName("p_at_1") == "pAt1")
        #expect(JSONFiles.swiftName("mean_average_precision_at_r") == "meanAveragePrecisionAtR")
    }

    @Test func aModelFolderOfTheEarlierFormatStillLoads() throws {
        let folder = Self.fixtures.appendingPathComponent("model-v1-camel")
        let text = try String(contentsOf: folder.appendingPathComponent("model.json"), encoding: .utf8)
        #expect(text.contains("\"batchSize\"") && text.contains("\"dataset\""), "the fixture is the earlier format")

        let sidecar = try Checkpoint.readSidecar(folder.appendingPathComponent("model.json"))
        let config = try #require(sidecar.config)
        #expect(config.options.batchSize == 64)
        #expect(config.options.samplesPerClass == 8)
        #expect(config.sampleLimit == 500)
        #expect(config.data == .fashionMNIST(directory: nil))
        #expect(sidecar.inputShape == [1, 28, 28])
        #expect(sidecar.history.first?.precisionAtOne != nil, "p_at_1 of the history is read")
        #expect(try RunHistory.load(from: folder) == sidecar.history)

        let model = try TrainedModel(directory: folder, threads: 1)
        #expect(model.normalization == FashionMNIST.standardisation, "inputs were standardised by the loader then")
        let embedded = try model.embed(try Tensor(repeating: 0.5, shape: [2, 1, 28, 28]))
        #expect(embedded.shape == [2, 4])

        // Written again, every key is snake_case, and it reads back the same.
        let rewritten = try JSONFiles.encoder.encode(sidecar)
        #expect(Self.nonSnakeKeys(try JSONSerialization.jsonObject(with: rewritten)) == [])
        let again = try JSONFiles.decoder.decode(Checkpoint.Sidecar.self, from: rewritten)
        #expect(try JSONFiles.encoder.encode(again) == rewritten)
        #expect(again.config == sidecar.config)
    }

    @Test func modelAndMetricsJSONAreSnakeCase() throws {
        let (folder, _) = try ReportTests.trainedRun("json-keys")
        defer { try? FileManager.default.removeItem(at: folder) }
        for name in ["model.json", "metrics.json"] {
            let json = try Self.jsonObject(folder.appendingPathComponent(name))
            #expect(Self.nonSnakeKeys(json) == [], "\(name)")
        }
        let model = try Self.jsonObject(folder.appendingPathComponent("model.json")) as? [String: Any]
        let config = model?["config"] as? [String: Any]
        #expect(config?["batch_size"] as? Int == 32)
        let history = try Self.jsonObject(folder.appendingPathComponent("metrics.json")) as? [[String: Any]]
        #expect(history?.first?["p_at_1"] != nil && history?.first?["images_per_s"] != nil)
        #expect(try TrainedModel(directory: folder, threads: 1).inputShape == [1, 8, 8])
    }

    @Test func evaluationJSONIsSnakeCase() throws {
        let folder = try Self.temporaryFolder("evaluate")
        defer { try? FileManager.default.removeItem(at: folder) }
        try TripletProcess.writeClusteredEmbeddings(in: folder, classes: 3, seed: 4)
        let out = folder.appendingPathComponent("evaluation.json")
        _ = try Self.run([
            "evaluate", "--embeddings", folder.appendingPathComponent("e.npy").path, "--labels",
            folder.appendingPathComponent("l.npy").path, "--out", out.path,
        ])
        let json = try Self.jsonObject(out)
        #expect(Self.nonSnakeKeys(json) == [])
        let retrieval = (json as? [String: Any])?["retrieval"] as? [String: Any]
        for key in ["precision_at_1", "mean_average_precision_at_r", "r_precision", "mean_reciprocal_rank"] {
            #expect(retrieval?[key] != nil, "\(key) is missing")
        }
        let tar = ((json as? [String: Any])?["tar_at_far"] as? [[String: Any]])?.first
        #expect(tar?["false_accept_rate"] != nil)
    }

    @Test func benchJSONLinesAreSnakeCase() throws {
        let commands = [
            ["bench", "losses", "--batch-size", "32", "--classes", "4", "--repeats", "1", "--threads", "1", "--json"],
            [
                "bench", "knn", "--queries", "20", "--references", "50", "--dim", "4", "-k", "3", "--repeats", "1",
                "--json",
            ],
            [
                "bench", "gallery", "--embeddings", "200", "--dim", "4", "--identities", "20", "--queries", "20",
                "--batch", "10", "--single", "5", "-k", "2", "--threads", "1", "--json",
            ],
        ]
        for arguments in commands {
            let output = try Self.run(arguments)
            let lines = output.split(separator: "\n").filter { $0.hasPrefix("{") }
            #expect(lines.count == 1, "\(arguments): \(output)")
            for line in lines {
                let json = try JSONSerialization.jsonObject(with: Data(line.utf8))
                #expect(Self.nonSnakeKeys(json) == [], "\(arguments)")
            }
        }
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: FashionMNIST.defaultDirectory.path)))
    func trainJSONLineIsSnakeCase() throws {
        let folder = try Self.temporaryFolder("train")
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = try Self.run([
            "train", "--architecture",
            Self.fixtures.appendingPathComponent("model-v1-camel/architecture.json").path, "--limit", "300",
            "--epochs", "1", "--batch-size", "40", "--samples-per-class", "4", "--threads", "1", "--no-report",
            "--json", "--out", folder.path,
        ])
        let line = try #require(output.split(separator: "\n").last { $0.hasPrefix("{") }, "no JSON line: \(output)")
        let json = try JSONSerialization.jsonObject(with: Data(line.utf8))
        #expect(Self.nonSnakeKeys(json) == [])
        #expect((json as? [String: Any])?["images_per_s"] != nil)
        #expect(Self.nonSnakeKeys(try Self.jsonObject(folder.appendingPathComponent("model.json"))) == [])
    }
}
