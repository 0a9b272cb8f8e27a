import Foundation
import TripletCore

/// A WordPiece vocabulary: `vocab.txt`, one token per line, the line number its id (BERT's format).
/// Tokens are compared by their exact Unicode scalars (UTF-8 bytes), not by Swift's canonical equivalence, as
/// Hugging Face's tokenizers compare them: a precomposed syllable and its decomposed jamo are different tokens.
public struct Vocabulary: Sendable {
    /// The tokens in id order.
    public let tokens: [String]
    private let ids: [[UInt8]: Int]

    /// The vocabulary of `tokens` (id = position). Throws on an empty list or a repeated token.
    public init(tokens: [String]) throws {
        guard !tokens.isEmpty else {
            throw TripletError.invalidParameter(name: "vocabulary", value: "empty", expected: "one token per line")
        }
        var ids: [[UInt8]: Int] = [:]
        for (id, token) in tokens.enumerated() {
            if let previous = ids.updateValue(id, forKey: Array(token.utf8)) {
                throw TripletError.invalidParameter(
                    name: "vocabulary", value: "\"\(token)\" on lines \(previous + 1) and \(id + 1)",
                    expected: "each token once")
            }
        }
        self.tokens = tokens
        self.ids = ids
    }

    /// Reads `vocab.txt` (UTF-8, one token per line, "\n" or "\r\n"). Throws a `corruptFile` error for a
    /// file that cannot be read, is not UTF-8, or repeats a token.
    public init(contentsOf url: URL) throws {
        guard let bytes = try? FileIO.readBytes(url) else {
            throw TripletError.corruptFile(path: url.path, reason: "cannot be read (a BERT vocab.txt is expected)")
        }
        try self.init(data: Data(bytes), path: url.path)
    }

    /// Decodes the bytes of a `vocab.txt` read from `path` (named in errors).
    public init(data: Data, path: String) throws {
        guard let text = String(data: data, encoding: .utf8) else {
            throw TripletError.corruptFile(path: path, reason: "is not UTF-8 text")
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
        }
        if lines.last == "" { lines.removeLast() }
        do {
            try self.init(tokens: lines)
        } catch TripletError.invalidParameter(_, let value, let expected) {
            throw TripletError.corruptFile(path: path, reason: "\(value): expected \(expected)")
        }
    }

    /// The id of `token`, or nil when the vocabulary lacks it.
    public func id(_ token: String) -> Int? { ids[Array(token.utf8)] }

    /// The id of the token whose UTF-8 bytes are `bytes`, or nil.
    func id(bytes: [UInt8]) -> Int? { ids[bytes] }

    /// The number of tokens.
    public var count: Int { tokens.count }
}
