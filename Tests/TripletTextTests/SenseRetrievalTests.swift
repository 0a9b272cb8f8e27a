import Foundation
import Testing
import TripletCore

@testable import TripletText

/// WordNet's files read as the wndb(5WN) format says, and the sense-retrieval task built from them keeps
/// its held-out words out of training.
@Suite("WordNet sense retrieval")
struct SenseRetrievalTests {
    static var folder: URL {
        Bundle.module.url(forResource: "Fixtures/wordnet", withExtension: nil)
            ?? URL(fileURLWithPath: "Tests/TripletTextTests/Fixtures/wordnet")
    }

    @Test func readsSynsetsGlossesAndSenseOrder() throws {
        let wordnet = try WordNet(directory: Self.folder)
        #expect(wordnet.synsets.count == 19)
        let bank = try #require(wordnet.synsets[.init(pos: "n", offset: 20)])
        #expect(bank.words == ["bank", "depository financial institution"])
        #expect(bank.definition == "a financial institution that accepts deposits")
        #expect(bank.examples == ["he cashed a check at the bank", "that bank holds my mortgage"])
        #expect(wordnet.senses["n"]?["bank"] == [20, 10, 30].map { .init(pos: "n", offset: $0) })
        #expect(wordnet.synsets[.init(pos: "a", offset: 300)]?.words == ["light"])
        #expect(wordnet.senses["r"]?["well"]?.count == 1)
    }

    @Test func heldOutWordsNeverReachTraining() throws {
        let wordnet = try WordNet(directory: Self.folder)
        let task = try SenseRetrieval(wordnet: wordnet, heldOutShare: 0.3, seed: 4)
        #expect(!task.train.isEmpty && !task.test.isEmpty)
        let heldOut = Set(task.test.map(\.word))
        let definitionsOfHeldOut = Set(
            wordnet.synsets.values.filter { !Set($0.words).isDisjoint(with: heldOut) }.map(\.definition))
        for triplet in task.train {
            #expect(triplet.count == 3)
            #expect(!definitionsOfHeldOut.contains(triplet[1]) && !definitionsOfHeldOut.contains(triplet[2]))
            #expect(triplet[1] != triplet[2])
        }
        for query in task.test {
            #expect(SenseRetrieval.contains(query.example.lowercased(), word: query.word))
            #expect(query.definitions.count >= 2 && query.definitions.indices.contains(query.answer))
        }
        // "well" has one sense and "apple" one: neither is a task word.
        #expect(!task.train.contains { $0[0].contains("apple") || $0[0].contains("sings") })
    }

    @Test func accuracyRanksDefinitionsByCosine() throws {
        let task = try SenseRetrieval(wordnet: try WordNet(directory: Self.folder), heldOutShare: 0.5, seed: 1)
        // Every text the same: ties go to the first sense, so the accuracy is the first-sense baseline.
        let same = try task.accuracy { texts in
            try Tensor(shape: [texts.count, 2], scalars: texts.flatMap { _ in [1, 0] })
        }
        #expect(same == task.firstSenseAccuracy)
        // An oracle that places each example on its own definition (one-hot rows).
        let definitions = Array(Set(task.test.flatMap(\.definitions))).sorted()
        var target: [String: Int] = [:]
        for (d, definition) in definitions.enumerated() { target[definition] = d }
        for query in task.test { target[query.example] = target[query.definitions[query.answer]] }
        let oracle = try task.accuracy { texts in
            try Tensor(
                shape: [texts.count, definitions.count],
                scalars: texts.flatMap { text -> [Float] in
                    var row = [Float](repeating: 0, count: definitions.count)
                    row[target[text] ?? 0] = 1
                    return row
                })
        }
        #expect(oracle == 1)
        #expect(task.randomAccuracy > 0 && task.randomAccuracy < 1)
    }

    @Test func badFoldersAreClearErrors() throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("wordnet-missing-\(getpid())")
        #expect(throws: TripletError.self) { try WordNet(directory: empty) }
        #expect(throws: TripletError.self) {
            try SenseRetrieval(wordnet: try WordNet(directory: Self.folder), heldOutShare: 1)
        }
    }

    /// Counts a file may not hold (negative: the wordnet fuzz target's crash; past Int's range when doubled)
    /// are malformed lines, not traps.
    @Test func impossibleCountsAreMalformedLines() throws {
        for count in ["-01", "7fffffffffffffff", "-8000000000000000"] {
            let line = "00000200 38 v \(count) run 0 000 | move fast by using one's feet; \"don't run\""
            #expect(throws: TripletError.self) { try WordNet.synset(Substring(line), file: "data.verb") }
        }
        for (synsets, pointers) in [
            ("-1", "0"), ("1", "-9"), ("9223372036854775807", "1"), ("1", "9223372036854775800"),
        ] {
            let line = "run v \(synsets) \(pointers) @ 1 0 00000200"
            #expect(throws: TripletError.self) { try WordNet.index(Substring(line), file: "index.verb") }
        }
    }
}
