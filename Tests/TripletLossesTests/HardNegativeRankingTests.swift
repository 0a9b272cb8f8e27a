import Foundation
import Testing
import TripletCore

@testable import TripletLosses

/// MNRL on (anchor, positive, negative) triplets against the formula of sentence-transformers written out in
/// Double: each anchor's cross-entropy over scale · cos with every positive and every negative of the batch.
@Suite("MNRL with hard negatives")
struct HardNegativeRankingTests {
    @Test func valueMatchesTheFormula() throws {
        var g = SeededGenerator(seed: 21)
        let (triplets, d) = (4, 6)
        let rows = (0..<(3 * triplets)).map { _ in (0..<d).map { _ in Double(g.nextNormal()) } }
        let x = try Tensor(rows: rows.map { $0.map(Float.init) })
        func cosine(_ a: [Double], _ b: [Double]) -> Double {
            let dot = zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
            return dot / (a.reduce(0) { $0 + $1 * $1 }.squareRoot() * b.reduce(0) { $0 + $1 * $1 }.squareRoot())
        }
        var expected = 0.0
        for i in 0..<triplets {
            let candidates = (0..<triplets).map { 3 * $0 + 1 } + (0..<triplets).map { 3 * $0 + 2 }
            let logits = candidates.map { 20 * cosine(rows[3 * i], rows[$0]) }
            let top = logits.max() ?? 0
            expected += top + Foundation.log(logits.reduce(0) { $0 + Foundation.exp($1 - top) }) - logits[i]
        }
        expected /= Double(triplets)
        let out = try MultipleNegativesRankingLoss()(x, hardNegatives: true)
        #expect(abs(Double(out.value) - expected) < 1e-4 * max(1, expected))
        #expect(throws: TripletError.self) {
            try MultipleNegativesRankingLoss()(
                try Tensor(rows: Array(rows.prefix(4)).map { $0.map(Float.init) }), hardNegatives: true)
        }
    }
}
