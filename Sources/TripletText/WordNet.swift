import Foundation
import TripletCore

/// The synsets and sense orders of a WordNet 3.0 database (Debian's `wordnet-base`,
/// `/usr/share/wordnet`; file format: the wndb(5WN) manual page): for each synset its words, its
/// definition and its usage examples; for each lemma and part of speech its synsets, most frequent first.
public struct WordNet: Sendable {
    /// A synset: a part of speech and a byte offset in that part's data file.
    public struct SynsetID: Hashable, Sendable, Comparable {
        /// "n", "v", "a" (adjectives and satellites) or "r".
        public var pos: String
        /// The offset in `data.<pos>`.
        public var offset: Int

        /// Ordered by part of speech, then offset.
        public static func < (l: SynsetID, r: SynsetID) -> Bool { (l.pos, l.offset) < (r.pos, r.offset) }
    }

    /// One synset's text.
    public struct Synset: Sendable {
        /// Its words, lower-cased, with spaces for WordNet's underscores.
        public var words: [String]
        /// The gloss's definition (the text before its quoted examples).
        public var definition: String
        /// The gloss's quoted usage examples.
        public var examples: [String]
    }

    /// Every synset with a definition.
    public private(set) var synsets: [SynsetID: Synset] = [:]
    /// `senses[pos][lemma]`: the lemma's synsets of that part of speech, most frequent first.
    public private(set) var senses: [String: [String: [SynsetID]]] = [:]

    /// The parts of speech and their file suffixes.
    static let parts = [("n", "noun"), ("v", "verb"), ("a", "adj"), ("r", "adv")]

    /// Reads `data.{noun,verb,adj,adv}` and `index.{…}` from `directory`; throws a clear error for a
    /// missing or malformed file.
    public init(directory: URL) throws {
        try self.init(source: directory.path) { try Self.text(directory.appendingPathComponent($0)) }
    }

    /// WordNet from the text of each of its files, by name ("data.noun", "index.verb", …); `source` names
    /// where they come from in errors.
    package init(source: String, text: (String) throws -> String) throws {
        for (pos, name) in Self.parts {
            for line in Self.lines(try text("data.\(name)")) {
                if let (offset, synset) = try Self.synset(line, file: "data.\(name)") {
                    synsets[SynsetID(pos: pos, offset: offset)] = synset
                }
            }
            var byLemma: [String: [SynsetID]] = [:]
            for line in Self.lines(try text("index.\(name)")) {
                if let (lemma, offsets) = try Self.index(line, file: "index.\(name)") {
                    byLemma[lemma] = offsets.map { SynsetID(pos: pos, offset: $0) }
                }
            }
            senses[pos] = byLemma
        }
        guard !synsets.isEmpty else {
            throw TripletError.corruptFile(path: source, reason: "no synsets in its data.* files")
        }
    }

    /// A file's text, checked to be UTF-8.
    static func text(_ url: URL) throws -> String {
        let bytes: [UInt8]
        do {
            bytes = try FileIO.readBytes(url)
        } catch TripletError.corruptFile(_, let reason) {
            throw TripletError.corruptFile(
                path: url.path, reason: "\(reason) (install Debian's wordnet-base, or give its folder)")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw TripletError.corruptFile(path: url.path, reason: "not UTF-8 text")
        }
        return text
    }

    /// The data lines of a file's text (the licence header's lines start with two spaces).
    static func lines(_ text: String) -> [Substring] {
        text.split(separator: "\n").filter { !$0.hasPrefix("  ") }
    }

    /// offset lex_filenum ss_type w_cnt (word lex_id)… p_cnt … | gloss
    static func synset(_ line: Substring, file: String) throws -> (Int, Synset)? {
        guard let bar = line.range(of: " | ") else { return nil }
        let fields = line[..<bar.lowerBound].split(separator: " ")
        guard fields.count >= 4, let offset = Int(fields[0]), let count = Int(fields[3], radix: 16),
            (0...fields.count).contains(count), fields.count >= 4 + 2 * count
        else {
            throw TripletError.corruptFile(path: file, reason: "malformed synset line '\(line.prefix(60))'")
        }
        let words = (0..<count).map { k in
            // Adjectives may carry a marker: "word(a)".
            let raw = fields[4 + 2 * k].split(separator: "(").first ?? fields[4 + 2 * k]
            return raw.replacingOccurrences(of: "_", with: " ").lowercased()
        }
        let gloss = line[bar.upperBound...].trimmingCharacters(in: .whitespaces)
        var examples: [String] = []
        var rest = Substring(gloss)
        while let open = rest.firstIndex(of: "\""),
            let close = rest[rest.index(after: open)...].firstIndex(of: "\"")
        {
            let example = rest[rest.index(after: open)..<close].trimmingCharacters(in: .whitespaces)
            if !example.isEmpty { examples.append(example) }
            rest = rest[rest.index(after: close)...]
        }
        let definitionEnd = gloss.firstIndex(of: "\"") ?? gloss.endIndex
        let definition = gloss[..<definitionEnd].trimmingCharacters(in: CharacterSet(charactersIn: " ;"))
        guard !definition.isEmpty else { return nil }
        return (offset, Synset(words: words, definition: definition, examples: examples))
    }

    /// lemma pos synset_cnt p_cnt [ptr_symbol…] sense_cnt tagsense_cnt synset_offset…
    static func index(_ line: Substring, file: String) throws -> (String, [Int])? {
        let fields = line.split(separator: " ")
        guard fields.count >= 4, let synsetCount = Int(fields[2]), let pointerCount = Int(fields[3]),
            (0...fields.count).contains(synsetCount), (0...fields.count).contains(pointerCount),
            fields.count >= 6 + pointerCount + synsetCount
        else {
            throw TripletError.corruptFile(path: file, reason: "malformed index line '\(line.prefix(60))'")
        }
        let offsets = fields[(6 + pointerCount)..<(6 + pointerCount + synsetCount)].compactMap { Int($0) }
        return (fields[0].replacingOccurrences(of: "_", with: " "), offsets)
    }
}
