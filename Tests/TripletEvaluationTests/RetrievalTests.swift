import Testing
import TripletCore
import TripletEvaluation

@Suite("Exact k-NN and retrieval metrics")
struct RetrievalTests {
    static func line(_ xs: [Float]) throws -> Tensor { try Tensor(shape: [xs.count, 1], scalars: xs) }

    @Test func nearestNeighboursAreSortedAndExcludeSelf() throws {
        let x = try Self.line([0, 1, 3, 6, 10])
        let knn = try ExactKNN.search(queries: x, references: x, k: 2, excludeSelf: true, threads: 2)
        #expect(Array(knn.neighbors(of: 0)) == [1, 2])
        #expect(Array(knn.neighbors(of: 2)) == [1, 0])  // distances 2 and 3 (6 is 3 away: tie → lower index 0)
        #expect(Array(knn.neighbors(of: 4)) == [3, 2])
        #expect(knn.distances[0] == 1 && knn.distances[1] == 3)
    }

    @Test func metricsMatchAHandComputation() throws {
        // Class 0 at 0, 1, 2; class 1 at 1.4, 10, 11.
        let x = try Self.line([0, 1, 2, 1.4, 10, 11])
        let labels = [0, 0, 0, 1, 1, 1]
        let (p1, map) = try RetrievalMetrics.evaluate(embeddings: x, labels: labels, threads: 1)
        // Nearest neighbours: 0→1 ✓, 1→1.4 ✗, 2→1.4 ✗, 1.4→1 ✗, 10→11 ✓, 11→10 ✓: P@1 = 3/6.
        #expect(abs(p1 - 0.5) < 1e-12)
        // R = 2. Query 0: [1 ✓, 1.4 ✗] → 1/2. Query 1: [1.4 ✗, 0 ✓] → (1/2)/2 = 0.25. Query 2: [1.4 ✗, 1 ✓] → 0.25.
        // Query 1.4: [1 ✗, 2 ✗] → 0. Query 10: [11 ✓, 2 ✗] → 0.5. Query 11: [10 ✓, 2 ✗] → 0.5.
        #expect(abs(map - (0.5 + 0.25 + 0.25 + 0 + 0.5 + 0.5) / 6) < 1e-12)
    }

    @Test func badInputThrows() throws {
        let x = try Self.line([0, 1, 2])
        #expect(throws: TripletError.self) { _ = try ExactKNN.search(queries: x, references: x, k: 0) }
        #expect(throws: TripletError.self) {
            _ = try ExactKNN.search(queries: x, references: x, k: 3, excludeSelf: true)
        }
        #expect(throws: TripletError.self) { _ = try RetrievalMetrics.evaluate(embeddings: x, labels: [0, 1]) }
        #expect(throws: TripletError.self) { _ = try RetrievalMetrics.evaluate(embeddings: x, labels: [0, 1, 2]) }
        let nan = try Self.line([0, .nan, 2])
        #expect(throws: TripletError.self) { _ = try ExactKNN.search(queries: nan, references: x, k: 1) }
    }

    @Test func blocksAndThreadsDoNotChangeTheResult() throws {
        var g = SeededGenerator(seed: 1)
        let x = try Tensor(shape: [1500, 8], scalars: (0..<12000).map { _ in g.nextNormal() })
        let a = try ExactKNN.search(queries: x, references: x, k: 5, metric: .cosine, excludeSelf: true, threads: 1)
        let b = try ExactKNN.search(queries: x, references: x, k: 5, metric: .cosine, excludeSelf: true, threads: 2)
        #expect(a.indices == b.indices)
        for q in 0..<1500 { #expect(!a.neighbors(of: q).contains(Int32(q))) }
    }
}
