import Foundation
import Testing
import TripletCore
import TripletEvaluation

@Suite("Embedding index files")
struct EmbeddingIndexTests {
    static func sample() throws -> EmbeddingIndex {
        try EmbeddingIndex(
            embeddings: try Tensor(shape: [4, 2], scalars: [0, 0, 1, 0, 0, 1, 5, 5]), labels: [7, 7, -1, 3],
            metric: .squaredEuclidean)
    }

    static func message(_ body: () throws -> Void) -> String {
        do {
            try body()
            return "no error"
        } catch { return "\(error)" }
    }

    @Test func roundTripThroughAFile() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("index-\(getpid()).tkindex")
        defer { try? FileManager.default.removeItem(at: url) }
        let index = try Self.sample()
        try index.write(to: url)
        let back = try EmbeddingIndex(contentsOf: url)
        #expect(back.embeddings == index.embeddings && back.labels == index.labels && back.metric == .squaredEuclidean)
        let hits = try back.search(try Tensor(shape: [1, 2], scalars: [0.9, 0.1]), k: 2)
        #expect(Array(hits.neighbors(of: 0)) == [1, 0])
    }

    @Test func badFilesSayWhatIsWrong() throws {
        let good = try Self.sample().encoded()
        var otherVersion = good
        otherVersion[8] = 2
        #expect(Self.message { _ = try EmbeddingIndex(decoding: otherVersion, path: "x") }.contains("version 2"))
        #expect(
            Self.message { _ = try EmbeddingIndex(decoding: Array(good.dropLast(9)), path: "x") }.contains("truncated"))
        #expect(Self.message { _ = try EmbeddingIndex(decoding: good + [0], path: "x") }.contains("trailing"))
        var flipped = good
        flipped[40] ^= 1
        #expect(Self.message { _ = try EmbeddingIndex(decoding: flipped, path: "x") }.contains("checksum"))
        #expect(Self.message { _ = try EmbeddingIndex(decoding: Array("hello".utf8), path: "x") }.contains("TKINDEX"))
        #expect(Self.message { _ = try EmbeddingIndex(decoding: [], path: "x") }.contains("TKINDEX"))
        let missing = Self.message {
            _ = try EmbeddingIndex(contentsOf: URL(fileURLWithPath: "/nonexistent/i.tkindex"))
        }
        #expect(missing.contains("/nonexistent/i.tkindex"))
    }

    /// A header announcing 2⁴⁰ − 1 references of dimension 2²⁴ − 1 (the plausible maxima) in a small file: the
    /// byte count it implies overflowed Int and trapped; it is refused as truncated.
    @Test func hugeSizeInASmallFileIsTruncated() throws {
        var bytes = try Self.sample().encoded()
        withUnsafeBytes(of: UInt64((1 << 40) - 1).littleEndian) { bytes.replaceSubrange(16..<24, with: $0) }
        withUnsafeBytes(of: UInt64((1 << 24) - 1).littleEndian) { bytes.replaceSubrange(24..<32, with: $0) }
        let message = Self.message { _ = try EmbeddingIndex(decoding: bytes, path: "x") }
        #expect(message.contains("truncated") && message.contains("1099511627775 × 16777215"), "\(message)")
    }

    @Test func badInputThrows() throws {
        let x = try Tensor(shape: [2, 2], scalars: [0, 1, 2, 3])
        #expect(throws: TripletError.self) { _ = try EmbeddingIndex(embeddings: x, labels: [1]) }
        #expect(throws: TripletError.self) {
            _ = try EmbeddingIndex(embeddings: try Tensor(shape: [1, 2], scalars: [.nan, 0]), labels: [1])
        }
        #expect(throws: TripletError.self) { _ = try EmbeddingIndex(embeddings: x, labels: [1, 2]).search(x, k: 3) }
        #expect(throws: TripletError.self) {
            _ = try EmbeddingIndex(embeddings: x, labels: [1, 2]).search(
                try Tensor(shape: [1, 3], scalars: [0, 0, 0]), k: 1)
        }
    }
}
