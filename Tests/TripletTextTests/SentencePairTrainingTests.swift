import Foundation
import Testing
import TripletCore

@testable import TripletText

/// Fine-tuning the tiny BERT with the multiple-negatives ranking loss: the loss falls on pairs that share
/// their words, and the saved folder loads back to the same embeddings.
@Suite("Sentence-pair training")
struct SentencePairTrainingTests {
    /// Eight (anchor, positive) id sequences, interleaved: each positive repeats its anchor's words in
    /// another order.
    static func pairs() -> TokenBatch {
        var ids: [[Int]] = []
        for i in 0..<8 {
            let words = [3 + 13 * i % 110, 5 + 7 * i % 100, 9 + 11 * i % 90]
            ids.append([101] + words + [102])
            ids.append([101] + words.reversed() + [102])
        }
        return TokenBatch(ids: ids, mask: ids.map { $0.map { _ in 1 } })
    }

    @Test func theLossFallsAndTheSavedModelEmbedsTheSame() throws {
        let source = try #require(Bundle.module.url(forResource: "Fixtures/tiny-bert", withExtension: nil))
        let encoder = try BertEncoder(folder: source, threads: 2)
        encoder.dropoutEnabled = false  // the mechanics of the step, without dropout's noise on a 32-wide model
        let training = try SentencePairTraining(encoder: encoder, learningRate: 1e-3, warmupSteps: 2, totalSteps: 30)
        #expect(training.rate(at: 0) < training.rate(at: 1) && training.rate(at: 29) < training.rate(at: 5))
        let batch = Self.pairs()
        var losses: [Float] = []
        for _ in 0..<30 { losses.append(try training.step(batch)) }
        let (first, last) = (try #require(losses.first), try #require(losses.last))
        #expect(last < 0.6 * first, "\(first) → \(last)")

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tuned-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try encoder.save(to: folder, copyingFrom: source)
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("config.json").path))
        let reloaded = try BertEncoder(folder: folder)
        #expect(try reloaded.embed(batch) == (try encoder.embed(batch)))
        #expect(throws: TripletError.self) { try encoder.save(to: source, copyingFrom: source) }
    }

    @Test func theTripletLossTrainsOnTripletsAndRefusesPairs() throws {
        let source = try #require(Bundle.module.url(forResource: "Fixtures/tiny-bert", withExtension: nil))
        let encoder = try BertEncoder(folder: source, threads: 2)
        encoder.dropoutEnabled = false
        let training = try SentencePairTraining(
            encoder: encoder, objective: .triplet(margin: 1), learningRate: 1e-3, warmupSteps: 0, totalSteps: 20)
        let pairs = Self.pairs()
        // (anchor, positive, negative): the next pair's anchor is the negative.
        var ids: [[Int]] = []
        for i in 0..<8 { ids += [pairs.ids[2 * i], pairs.ids[2 * i + 1], pairs.ids[(2 * i + 2) % 16]] }
        let triplets = TokenBatch(ids: ids, mask: ids.map { $0.map { _ in 1 } })
        var losses: [Float] = []
        for _ in 0..<20 { losses.append(try training.step(triplets, hardNegatives: true)) }
        let (first, last) = (try #require(losses.first), try #require(losses.last))
        #expect(last < first, "\(first) → \(last)")
        #expect(throws: TripletError.self) { try training.step(pairs) }
    }

    /// Texts are packed: the same texts padded to their longest or far past it take the same step, dropout
    /// included (its masks are drawn over the real tokens only), and a text embeds alone as in a batch.
    @Test func paddingChangesNothing() throws {
        let source = try #require(Bundle.module.url(forResource: "Fixtures/tiny-bert", withExtension: nil))
        var ids: [[Int]] = []
        for i in 0..<12 { ids.append([101] + (0..<(1 + (i * 5) % 9)).map { 3 + (i * 7 + $0 * 3) % 110 } + [102]) }
        let longest = ids.map(\.count).max() ?? 0
        func padded(to length: Int) -> TokenBatch {
            TokenBatch(
                ids: ids.map { $0 + Array(repeating: 0, count: length - $0.count) },
                mask: ids.map { Array(repeating: 1, count: $0.count) + Array(repeating: 0, count: length - $0.count) })
        }
        var results: [(Float, [Float])] = []
        for length in [longest, longest + 9] {
            let encoder = try BertEncoder(folder: source, threads: 2)
            let training = try SentencePairTraining(encoder: encoder, learningRate: 1e-3, warmupSteps: 0, totalSteps: 2)
            let loss = try training.step(padded(to: length))
            results.append((loss, encoder.namedParameters.flatMap { $0.parameter.gradient.scalars }))
        }
        #expect(results[0].0 == results[1].0)
        #expect(results[0].1 == results[1].1)
        let encoder = try BertEncoder(folder: source, threads: 1)
        let together = try encoder.embed(padded(to: longest))
        for (row, text) in ids.enumerated() {
            let alone = try encoder.embed(TokenBatch(ids: [text], mask: [text.map { _ in 1 }]))
            let worst = zip(alone.scalars, together.scalars[(row * 32)..<((row + 1) * 32)]).map { abs($0 - $1) }.max()
            #expect(try #require(worst) <= 1e-6, "text \(row) alone differs by \(worst ?? 0)")
        }
    }
}
