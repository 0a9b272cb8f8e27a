import Foundation
import Testing
import TripletCore

@testable import TripletText

/// The WordPiece tokenizer against Hugging Face's `tokenizers` (all-MiniLM-L6-v2's tokenizer.json) on
/// the texts of `Benchmarks/reference/tokenizer_reference.py`: WordNet glosses and seeded mixtures of
/// accents, punctuation, numbers, emoji, CJK, control and zero-width characters and over-long words.
@Suite("BERT tokenizer")
struct BertTokenizerTests {
    struct Reference: Decodable {
        struct Case: Decodable {
            var text: String
            var ids: [Int]
            var max_length: Int?
        }
        var max_length: Int
        var cases: [Case]
    }

    static func vocabulary() throws -> Vocabulary {
        try Vocabulary(contentsOf: try #require(Bundle.module.url(forResource: "Fixtures/vocab", withExtension: "txt")))
    }

    @Test func idsEqualHuggingFacesOnEveryReferenceText() throws {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/tokenizer_reference", withExtension: "json"))
        let reference = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
        let vocabulary = try Self.vocabulary()
        #expect(vocabulary.count == 30_522)
        let full = try BertTokenizer(vocabulary: vocabulary, maxLength: reference.max_length)
        let short = try BertTokenizer(vocabulary: vocabulary, maxLength: 12)
        var mismatches: [String] = []
        for item in reference.cases {
            let ids = (item.max_length == 12 ? short : full).encode(item.text)
            if ids != item.ids { mismatches.append("\(item.text.debugDescription): \(ids) vs \(item.ids)") }
        }
        #expect(reference.cases.count > 3000)
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches, first: \(mismatches.prefix(3))")
    }

    @Test func batchesArePaddedToTheLongestTextWithAMask() throws {
        let tokenizer = try BertTokenizer(vocabulary: try Self.vocabulary())
        let batch = tokenizer.encode(batch: ["Hello, world!", "hi"])
        #expect(batch.ids[0] == [101, 7592, 1010, 2088, 999, 102])
        #expect(batch.ids[1] == [101, 7632, 102, 0, 0, 0])
        #expect(batch.mask == [[1, 1, 1, 1, 1, 1], [1, 1, 1, 0, 0, 0]])
    }

    @Test func badVocabulariesAreClearErrors() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vocab-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        func write(_ name: String, _ bytes: [UInt8]) throws -> URL {
            let url = folder.appendingPathComponent(name)
            try Data(bytes).write(to: url)
            return url
        }
        #expect(throws: TripletError.self) { try Vocabulary(contentsOf: folder.appendingPathComponent("missing.txt")) }
        #expect(throws: TripletError.self) {
            try Vocabulary(contentsOf: try write("binary.txt", [0xFF, 0xFE, 0x00, 0xC3]))
        }
        #expect(throws: TripletError.self) { try Vocabulary(contentsOf: try write("empty.txt", [])) }
        #expect(throws: TripletError.self) {
            try Vocabulary(contentsOf: try write("twice.txt", Array("a\nb\na\n".utf8)))
        }
        let noCLS = try Vocabulary(contentsOf: try write("nocls.txt", Array("[PAD]\n[UNK]\n[SEP]\nhello\n".utf8)))
        #expect(throws: TripletError.self) { try BertTokenizer(vocabulary: noCLS) }
        let vocabulary = try Self.vocabulary()
        #expect(throws: TripletError.self) { try BertTokenizer(vocabulary: vocabulary, maxLength: 1) }
    }
}
