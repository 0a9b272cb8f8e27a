import Testing
import TripletCore

@testable import TripletEvaluation

@Suite("Retrieval metrics: definitions and bad input")
struct RetrievalMetricsTests {
    static func line(_ xs: [Float]) throws -> Tensor { try Tensor(shape: [xs.count, 1], scalars: xs) }

    // References 0 (label 0), 1 (1), 2 (0), 10 (1); queries 0.4 (0), 1.9 (1), 3 (5: no reference has it).
    static let references: [Float] = [0, 1, 2, 10]
    static let referenceLabels = [0, 1, 0, 1]
    static let queries: [Float] = [0.4, 1.9, 3]
    static let queryLabels = [0, 1, 5]

    func split(k: RetrievalK?, recallAt: [Int] = [1, 2]) throws -> RetrievalScores {
        try RetrievalMetrics.compute(
            queries: try Self.line(Self.queries), queryLabels: Self.queryLabels,
            references: try Self.line(Self.references), referenceLabels: Self.referenceLabels, k: k,
            recallAt: recallAt, threads: 1)
    }

    @Test func everyMetricByHand() throws {
        // Query 0.4 ranks labels 0 1 0 1: hits ✓✗✓✗, R = 2. Query 1.9 ranks 2 1 0 10: ✗✓✗✓, R = 2.
        let s = try split(k: nil)
        #expect(s.k == 4 && s.queryCount == 2 && s.excludedQueryCount == 1)
        #expect(abs(s.precisionAtOne - 0.5) < 1e-12)
        #expect(abs(s.rPrecision - 0.5) < 1e-12)
        #expect(abs(s.mapAtR - (0.5 + 0.25) / 2) < 1e-12)  // (1/1)/2 and (1/2)/2
        #expect(abs(s.meanAveragePrecision - ((1 + 2.0 / 3) / 2 + (0.5 + 0.5) / 2) / 2) < 1e-12)
        #expect(abs(s.meanReciprocalRank - 0.75) < 1e-12)
        #expect(s.recall(at: 1) == 0.5 && s.recall(at: 2) == 1 && s.recall(at: 3) == nil)
    }

    @Test func aSmallKTruncatesAsPMLDoes() throws {
        // k = 1 < R = 2: R-precision over min(R, k) = 1 neighbour, MAP@R and MAP still divide by R.
        let s = try split(k: 1)
        #expect(s.k == 1)
        #expect(abs(s.rPrecision - 0.5) < 1e-12)
        #expect(abs(s.mapAtR - 0.25) < 1e-12)
        #expect(abs(s.meanAveragePrecision - 0.25) < 1e-12)
        #expect(abs(s.meanReciprocalRank - 0.5) < 1e-12)
        #expect(s.recall(at: 2) == 1)  // Recall@K may look past k
        #expect(try split(k: .maxBinCount).k == 2)
    }

    @Test func oneClassIsPerfect() throws {
        let s = try RetrievalMetrics.compute(
            embeddings: try Self.line([0, 1, 2, 3]), labels: [7, 7, 7, 7], k: .maxBinCount, threads: 1)
        #expect(s.precisionAtOne == 1 && s.mapAtR == 1 && s.rPrecision == 1 && s.meanReciprocalRank == 1)
        #expect(s.k == 3 && s.queryCount == 4)
    }

    @Test func legacyEvaluateIsMaxBinCountSelfExcluded() throws {
        var g = SeededGenerator(seed: 3)
        let x = try Tensor(shape: [60, 4], scalars: (0..<240).map { _ in g.nextNormal() })
        let labels = (0..<60).map { $0 % 7 }
        let legacy = try RetrievalMetrics.evaluate(embeddings: x, labels: labels, threads: 2)
        let full = try RetrievalMetrics.compute(embeddings: x, labels: labels, k: .maxBinCount, threads: 2)
        #expect(legacy.precisionAtOne == full.precisionAtOne && legacy.mapAtR == full.mapAtR)
    }

    @Test(arguments: [1, 3, 7, 64])
    func queryBlocksGiveTheSameNeighboursAsOneSearch(blockRows: Int) throws {
        var g = SeededGenerator(seed: 5)
        // Few distinct points: many exact duplicates, so self is often not first among its ties.
        let x = try Tensor(shape: [50, 2], scalars: (0..<100).map { _ in Float(Int.random(in: 0..<3, using: &g)) })
        for (k, excludeSelf) in [(1, true), (12, true), (49, true), (50, false)] {
            let whole = try ExactKNN.search(
                queries: x, references: x, k: k, metric: .squaredEuclidean, excludeSelf: excludeSelf, threads: 2)
            var blocked = [Int32]()
            try NeighborBlocks.forEach(
                queries: x, references: x, k: k, metric: .squaredEuclidean, excludeSelf: excludeSelf, threads: 2,
                blockRows: blockRows
            ) { _, indices in blocked += indices }
            #expect(blocked == whole.indices, "k \(k) excludeSelf \(excludeSelf)")
        }
    }

    @Test func badInputThrows() throws {
        let x = try Self.line([0, 1, 2, 3])
        let labels = [0, 0, 1, 1]
        func expectError(_ what: Comment, _ body: () throws -> Void) {
            #expect(throws: TripletError.self, what) { try body() }
        }
        expectError("label count") { _ = try RetrievalMetrics.compute(embeddings: x, labels: [0, 0, 1]) }
        expectError("reference label count") {
            _ = try RetrievalMetrics.compute(queries: x, queryLabels: labels, references: x, referenceLabels: [0])
        }
        expectError("widths") {
            _ = try RetrievalMetrics.compute(
                queries: x, queryLabels: labels, references: try Tensor(shape: [2, 2], scalars: [0, 0, 1, 1]),
                referenceLabels: [0, 1])
        }
        expectError("NaN query") {
            _ = try RetrievalMetrics.compute(embeddings: try Self.line([0, .nan, 2, 3]), labels: labels)
        }
        expectError("infinite reference") {
            _ = try RetrievalMetrics.compute(
                queries: x, queryLabels: labels, references: try Self.line([0, .infinity]), referenceLabels: [0, 1])
        }
        expectError("empty") {
            _ = try RetrievalMetrics.compute(embeddings: try Tensor(shape: [0, 1], scalars: []), labels: [])
        }
        expectError("zero width") {
            _ = try RetrievalMetrics.compute(embeddings: try Tensor(shape: [2, 0], scalars: []), labels: [0, 0])
        }
        for k in [0, -1, 4] {
            expectError("k \(k)") { _ = try RetrievalMetrics.compute(embeddings: x, labels: labels, k: .count(k)) }
        }
        for kk in [0, 4] {
            expectError("recall@\(kk)") {
                _ = try RetrievalMetrics.compute(embeddings: x, labels: labels, recallAt: [kk])
            }
        }
        expectError("all labels distinct") { _ = try RetrievalMetrics.compute(embeddings: x, labels: [0, 1, 2, 3]) }
        expectError("no query label among the references") {
            _ = try RetrievalMetrics.compute(
                queries: x, queryLabels: labels, references: x, referenceLabels: [5, 5, 6, 6])
        }
        expectError("threads") { _ = try RetrievalMetrics.compute(embeddings: x, labels: labels, threads: 0) }
        let error = try #require(throws: TripletError.self) {
            try RetrievalMetrics.compute(embeddings: x, labels: labels, k: 9)
        }
        #expect(error.description.contains("k 9") && error.description.contains("1...3"))
    }
}
