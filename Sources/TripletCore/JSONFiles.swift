import Foundation

/// The one JSON convention of every file TripletKit writes (model.json, metrics.json, evaluation.json, the
/// gallery export, `--json` lines): object keys in snake_case (`batch_size`, `precision_at_1`), as PML's
/// `AccuracyCalculator` and most JSON consumers spell them, sorted, pretty-printed.
///
/// Swift names are converted on the way out: a new word starts at an upper-case letter (a run of capitals
/// is one word, `fashionMNIST` → `fashion_mnist`) and at a digit run after a letter (`precisionAt1` →
/// `precision_at_1`). Reading accepts both these keys and the camelCase keys of files written before
/// (`batchSize`): every key is brought to the same spelling first. Keys of string-keyed dictionaries (a
/// gallery identity's metadata, the layer kinds and configurations of an architecture) are data, and are
/// written and read as they are.
///
/// A `CodingKey` whose name has a run of capitals must be spelled as its snake_case form reads back
/// (`case fashionMNIST = "fashionMnist"`), so that writing then reading gives the same key.
public enum JSONFiles {
    /// The encoder of every JSON file: snake_case keys, sorted, pretty-printed, ISO 8601 dates.
    public static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .custom { path in Key(snakeCase(path.last?.stringValue ?? "")) }
        encoder.dateEncodingStrategy = .iso8601
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }

    /// The encoder of one-line JSON output (`--json`): as `encoder`, on one line.
    public static var lineEncoder: JSONEncoder {
        let encoder = encoder
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// The decoder of every JSON file: snake_case keys, or the camelCase keys of earlier files.
    public static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .custom { path in Key(swiftName(path.last?.stringValue ?? "")) }
        decoder.dateDecodingStrategy = .iso8601
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }

    /// `value` as one line of JSON text (no newline), snake_case keys.
    public static func line(_ value: some Encodable) throws -> String {
        String(decoding: try lineEncoder.encode(value), as: UTF8.self)
    }

    /// Writes `value` to `url` atomically (a temporary file in the same folder, then a rename).
    public static func write(_ value: some Encodable, to url: URL) throws {
        try encoder.encode(value).write(to: url, options: .atomic)
    }

    /// `name` in snake_case: `batchSize` → `batch_size`, `fashionMNIST` → `fashion_mnist`,
    /// `precisionAt1` → `precision_at_1`; a snake_case name is returned as it is.
    public static func snakeCase(_ name: String) -> String {
        let characters = Array(name)
        var out = ""
        for (i, c) in characters.enumerated() {
            let previous: Character? = i > 0 ? characters[i - 1] : nil
            let next: Character? = i + 1 < characters.count ? characters[i + 1] : nil
            if c.isUppercase, let previous, previous != "_" {
                // A word starts here after a lower-case letter or digit, or at the last capital of a run
                // followed by a lower-case letter (`URLValue` → `url_value`).
                if previous.isLowercase || previous.isNumber || (previous.isUppercase && next?.isLowercase == true) {
                    out.append("_")
                }
            } else if c.isNumber, let previous, previous.isLetter {
                out.append("_")
            }
            out += c.lowercased()
        }
        return out
    }

    /// The Swift spelling of a key read from a file: its snake_case form with each word after the first
    /// capitalised (`batch_size` and `batchSize` → `batchSize`, `fashion_mnist` → `fashionMnist`).
    public static func swiftName(_ key: String) -> String {
        let words = snakeCase(key).split(separator: "_", omittingEmptySubsequences: false)
        guard let first = words.first else { return key }
        return String(first) + words.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
