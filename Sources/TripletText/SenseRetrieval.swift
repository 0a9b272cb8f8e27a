import Foundation
import TripletCore

/// WordNet sense retrieval, a sentence-embedding task built offline from WordNet: a usage example that
/// contains its word should be closer to its own synset's definition than to the word's other senses.
///
/// Training triplets: anchor = a usage example containing one of its synset's polysemous words,
/// positive = that synset's definition, hard negative = the definition of another sense of the same word.
/// About `heldOutShare` of those words are held out (seeded): their examples are the test queries, and no
/// training triplet touches a synset that contains a held-out word. A query is right when its own sense's
/// definition ranks first (cosine) among the definitions of all senses of its word.
public struct SenseRetrieval: Sendable {
    /// One training example: (anchor, positive, negative) texts.
    public var train: [[String]]
    /// The test queries.
    public var test: [Query]

    /// A held-out usage example and the definitions of its word's senses (most frequent first).
    public struct Query: Sendable, Codable, Equatable {
        /// The word it is an example of.
        public var word: String
        /// The usage example.
        public var example: String
        /// The definitions of every sense of the word (same part of speech), WordNet's order.
        public var definitions: [String]
        /// The position of the example's own sense in `definitions`.
        public var answer: Int
    }

    /// The task from `wordnet`, holding out `heldOutShare` of the polysemous words (seeded).
    public init(wordnet: WordNet, heldOutShare: Double = 0.1, seed: UInt64 = 0) throws {
        guard heldOutShare > 0, heldOutShare < 1 else {
            throw TripletError.invalidParameter(
                name: "heldOutShare", value: "\(heldOutShare)", expected: "a share strictly between 0 and 1")
        }
        // Every (example, synset, word) whose word appears in the example and has two or more senses.
        var items: [(id: WordNet.SynsetID, example: String, word: String)] = []
        for id in wordnet.synsets.keys.sorted() {
            guard let synset = wordnet.synsets[id] else { continue }
            for example in synset.examples {
                let lowered = example.lowercased()
                if let word = synset.words.first(where: {
                    (wordnet.senses[id.pos]?[$0]?.count ?? 0) >= 2 && Self.contains(lowered, word: $0)
                }) {
                    items.append((id, example, word))
                }
            }
        }
        var words = Array(Set(items.map { "\($0.id.pos) \($0.word)" })).sorted()
        var random = SeededGenerator(seed: seed)
        words.shuffle(using: &random)
        let heldOut = Set(words.prefix(max(1, Int((Double(words.count) * heldOutShare).rounded()))))
        let heldOutWords = Set(heldOut.map { String($0.split(separator: " ", maxSplits: 1)[1]) })
        func touchesHeldOut(_ id: WordNet.SynsetID) -> Bool {
            wordnet.synsets[id]?.words.contains { heldOutWords.contains($0) } ?? true
        }
        train = []
        test = []
        for item in items {
            let senses = wordnet.senses[item.id.pos]?[item.word] ?? []
            guard let answer = senses.firstIndex(of: item.id), let own = wordnet.synsets[item.id] else { continue }
            if heldOut.contains("\(item.id.pos) \(item.word)") {
                let definitions = senses.compactMap { wordnet.synsets[$0]?.definition }
                guard definitions.count == senses.count else { continue }
                test.append(Query(word: item.word, example: item.example, definitions: definitions, answer: answer))
                continue
            }
            let others = senses.filter { $0 != item.id && !touchesHeldOut($0) }
            guard !touchesHeldOut(item.id), !others.isEmpty,
                let negative = wordnet.synsets[others[Int.random(in: 0..<others.count, using: &random)]]
            else { continue }
            train.append([item.example, own.definition, negative.definition])
        }
        guard !train.isEmpty, !test.isEmpty else {
            throw TripletError.invalidParameter(
                name: "wordnet", value: "\(train.count) training and \(test.count) test examples",
                expected: "a WordNet with usage examples of polysemous words")
        }
    }

    /// Whether `text` (lower-cased) contains `word` between non-letters.
    static func contains(_ text: String, word: String) -> Bool {
        var start = text.startIndex
        while let found = text.range(of: word, range: start..<text.endIndex) {
            let before = found.lowerBound == text.startIndex ? nil : text[text.index(before: found.lowerBound)]
            let after = found.upperBound == text.endIndex ? nil : text[found.upperBound]
            if !(before?.isLetter ?? false) && !(after?.isLetter ?? false) { return true }
            start = text.index(after: found.lowerBound)
        }
        return false
    }

    /// Sense accuracy@1 of an embedding (rows L2-normalised or not: cosine is used): the share of queries
    /// whose own sense's definition is the most similar of its word's definitions.
    public func accuracy(_ embed: ([String]) throws -> Tensor) throws -> Double {
        let definitions = Array(Set(test.flatMap(\.definitions))).sorted()
        let position = Dictionary(uniqueKeysWithValues: definitions.enumerated().map { ($1, $0) })
        let queries = try embed(test.map(\.example)), glosses = try embed(definitions)
        let width = queries.rowWidth
        func cosine(_ q: Int, _ g: Int) -> Double {
            var dot = 0.0, qq = 0.0, gg = 0.0
            for k in 0..<width {
                let a = Double(queries.scalars[q * width + k]), b = Double(glosses.scalars[g * width + k])
                dot += a * b
                qq += a * a
                gg += b * b
            }
            return dot / max((qq * gg).squareRoot(), 1e-12)
        }
        var right = 0
        for (q, query) in test.enumerated() {
            let scores = query.definitions.map { cosine(q, position[$0] ?? 0) }
            if let best = scores.indices.max(by: { scores[$0] < scores[$1] || (scores[$0] == scores[$1] && $0 > $1) }),
                best == query.answer
            {
                right += 1
            }
        }
        return Double(right) / Double(test.count)
    }

    /// The expected accuracy of picking a sense at random.
    public var randomAccuracy: Double { test.reduce(0) { $0 + 1 / Double($1.definitions.count) } / Double(test.count) }

    /// The accuracy of always answering WordNet's first (most frequent) sense.
    public var firstSenseAccuracy: Double { Double(test.filter { $0.answer == 0 }.count) / Double(test.count) }
}
