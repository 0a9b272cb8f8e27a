import Foundation
import Testing

@testable import TripletKit

/// `triplet search` and `triplet embed` with image files as queries, class names in the output (the data
/// source's: here Fashion-MNIST's, the fixture model's training source), and `--json` lines.
@Suite("Search and embed commands")
struct SearchCommandTests {
    /// Two 28×28 grey PNGs (dark and bright) in a temporary folder.
    static func images(in folder: URL) throws -> [URL] {
        try [30, 220].enumerated().map { i, value in
            let url = folder.appendingPathComponent("query-\(i).png")
            let pixels = (0..<28 * 28).map { UInt8(($0 % 28 < 14 ? value : 255 - value)) }
            try Data(try ImageEncoder.png(width: 28, height: 28, channels: 1, pixels: pixels)).write(to: url)
            return url
        }
    }

    @Test func imagesAreEmbeddedSearchedAndNamed() throws {
        let folder = try JSONFilesTests.temporaryFolder("search")
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = JSONFilesTests.fixtures.appendingPathComponent("model-v1-camel").path
        let images = try Self.images(in: folder)
        let embeddings = folder.appendingPathComponent("e.npy"), labels = folder.appendingPathComponent("l.npy")
        let index = folder.appendingPathComponent("i.tkindex")

        // embed --image: one row per image, the model's dimension.
        _ = try JSONFilesTests.run(
            ["embed", "--model", model, "--out", embeddings.path] + images.flatMap { ["--image", $0.path] })
        #expect(try NPY.readTensor(contentsOf: embeddings).shape == [2, 4])
        try NPY.write(labels: [9, 0], to: labels)
        _ = try JSONFilesTests.run([
            "index", "build", "--embeddings", embeddings.path, "--labels", labels.path, "--out", index.path,
        ])

        // search --image: the neighbours are named by class (Fashion-MNIST's names: label 9 is Ankle boot).
        let text = try JSONFilesTests.run(
            ["search", "--model", model, "--index", index.path, "-k", "2"] + images.flatMap { ["--image", $0.path] })
        let lines = text.split(separator: "\n")
        #expect(lines.count == 2, "\(text)")
        #expect(lines.first?.hasPrefix("query 0 (\(images[0].path)): 0 (Ankle boot, 0.0000)") == true, "\(text)")
        #expect(text.contains("T-shirt/top"))

        // --json: one object per query, snake_case keys.
        let json = try JSONFilesTests.run(
            ["search", "--model", model, "--index", index.path, "-k", "2", "--json", "--image", images[1].path])
        let objects = try json.split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(objects.count == 1)
        let answer = try #require(objects.first ?? nil)
        #expect(JSONFilesTests.nonSnakeKeys(answer) == [])
        #expect(answer["file"] as? String == images[1].path)
        let neighbors = try #require(answer["neighbors"] as? [[String: Any]])
        #expect(neighbors.first?["index"] as? Int == 1)
        #expect(neighbors.first?["class_name"] as? String == "T-shirt/top")
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: FashionMNIST.defaultDirectory.path)))
    func datasetRowsShowTheQueryClassAndMarks() throws {
        let folder = try JSONFilesTests.temporaryFolder("search-rows")
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = JSONFilesTests.fixtures.appendingPathComponent("model-v1-camel").path
        let embeddings = folder.appendingPathComponent("e.npy"), labels = folder.appendingPathComponent("l.npy")
        let index = folder.appendingPathComponent("i.tkindex")
        _ = try JSONFilesTests.run([
            "embed", "--model", model, "--split", "test", "--out", embeddings.path, "--labels-out", labels.path,
        ])
        _ = try JSONFilesTests.run([
            "index", "build", "--embeddings", embeddings.path, "--labels", labels.path, "--out", index.path,
        ])
        let text = try JSONFilesTests.run([
            "search", "--model", model, "--index", index.path, "--dataset", "fashion-mnist", "--split", "test",
            "--query-rows", "0", "-k", "3",
        ])
        // Test row 0 is an ankle boot; it is its own nearest neighbour at distance 0.
        #expect(text.hasPrefix("query 0 (row 0, label 9 Ankle boot): 0 (Ankle boot, 0.0000) ✓"), "\(text)")
        let json = try JSONFilesTests.run([
            "search", "--model", model, "--index", index.path, "--query-rows", "0", "-k", "3", "--json",
        ])
        let answer = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        #expect(answer?["class_name"] as? String == "Ankle boot")
        #expect(answer?["row"] as? Int == 0)
        #expect(answer?["label"] as? Int == 9)
    }
}
