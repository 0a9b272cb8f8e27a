import Testing
import TripletCore

@testable import TripletEvaluation

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

@Suite("Exact k-NN in blocks")
struct BlockedKNNTests {
    /// Brute force in Double, ties by lower index.
    static func bruteForce(_ q: Tensor, _ r: Tensor, k: Int, excludeSelf: Bool) -> [[Int32]] {
        (0..<q.rowCount).map { i in
            let d = (0..<r.rowCount).filter { !(excludeSelf && $0 == i) }.map { j -> (Double, Int) in
                (zip(q.row(i), r.row(j)).reduce(0.0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) }, j)
            }
            return d.sorted { $0 < $1 }.prefix(k).map { Int32($0.1) }
        }
    }

    @Test(arguments: [(1, 3), (5, 2), (40, 7)])
    func blocksOfQueriesAndReferencesGiveTheExactNeighbours(k: Int, blocks: Int) throws {
        var g = SeededGenerator(seed: UInt64(k))
        // Integer coordinates: many exact ties, which must go to the lower index.
        let q = try Tensor(shape: [37, 3], scalars: (0..<111).map { _ in Float(Int.random(in: 0..<4, using: &g)) })
        let r = try Tensor(shape: [90, 3], scalars: (0..<270).map { _ in Float(Int.random(in: 0..<4, using: &g)) })
        let references = try KNNReferences(r, metric: .squaredEuclidean)
        let got = try ExactKNN.search(
            queries: q, references: references, k: k, excludeSelf: false, threads: 2,
            queryBlock: 8, referenceBlock: 90 / blocks, partRows: 90)
        let expected = Self.bruteForce(q, r, k: k, excludeSelf: false)
        for i in 0..<37 { #expect(Array(got.neighbors(of: i)) == expected[i], "query \(i)") }
        // One query block, the references split among three threads and merged.
        let split = try ExactKNN.search(
            queries: q, references: references, k: k, excludeSelf: false, threads: 3,
            queryBlock: 64, referenceBlock: 90 / blocks, partRows: 20)
        for i in 0..<37 { #expect(Array(split.neighbors(of: i)) == expected[i], "split query \(i)") }
        let selfGot = try ExactKNN.search(
            queries: r, references: references, k: k, excludeSelf: true, threads: 3,
            queryBlock: 128, referenceBlock: 90 / blocks, partRows: 25)
        let selfExpected = Self.bruteForce(r, r, k: k, excludeSelf: true)
        for i in 0..<90 { #expect(Array(selfGot.neighbors(of: i)) == selfExpected[i], "self query \(i)") }
    }
}
