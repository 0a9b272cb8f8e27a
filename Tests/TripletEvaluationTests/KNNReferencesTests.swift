import Testing
import TripletCore

@testable import TripletEvaluation

@Suite("Prepared k-NN references")
struct KNNReferencesTests {
    static func random(_ rows: Int, _ width: Int, seed: UInt64) throws -> Tensor {
        var g = SeededGenerator(seed: seed)
        return try Tensor(shape: [rows, width], scalars: (0..<rows * width).map { _ in g.nextNormal() })
    }

    @Test("appending and removing rows gives what preparing the result at once gives", arguments: KNNMetric.allCases)
    func incrementalEqualsFresh(metric: KNNMetric) throws {
        let all = try Self.random(30, 5, seed: 1)
        let rows = { (range: Range<Int>) in
            try Tensor(
                shape: [range.count, 5], scalars: Array(all.scalars[range.lowerBound * 5..<range.upperBound * 5]))
        }
        var grown = try KNNReferences(width: 5, metric: metric)
        try grown.append(rows(0..<10))
        try grown.append(contentsOf: try KNNReferences(rows(10..<30), metric: metric))
        #expect(grown == (try KNNReferences(all, metric: metric)))
        try grown.removeRows(4..<12)
        let kept = try Tensor(shape: [22, 5], scalars: Array(all.scalars[0..<20] + all.scalars[60..<150]))
        #expect(grown == (try KNNReferences(kept, metric: metric)))
    }

    @Test("removing the row of the largest norm lowers the scan's rounding scale")
    func largestNormFollowsRemoval() throws {
        var refs = try KNNReferences(Tensor(shape: [3, 1], scalars: [1, 10, 2]), metric: .euclidean)
        #expect(refs.largestNorm == 100)
        try refs.removeRows(1..<2)
        #expect(refs.largestNorm == 4)
        try refs.removeRows(0..<2)
        #expect(refs.largestNorm == 0 && refs.count == 0)
    }

    @Test("a search over prepared references equals the search over the tensor", arguments: KNNMetric.allCases)
    func preparedEqualsTensor(metric: KNNMetric) throws {
        let references = try Self.random(3000, 8, seed: 2)
        let queries = try Self.random(5, 8, seed: 3)
        let direct = try ExactKNN.search(queries: queries, references: references, k: 7, metric: metric, threads: 1)
        let prepared = try KNNReferences(references, metric: metric)
        // Two threads over five queries: the references are split in two parts and merged.
        let split = try ExactKNN.search(
            queries: queries, references: prepared, k: 7, excludeSelf: false, threads: 2, queryBlock: 512,
            referenceBlock: 1024, partRows: 1000)
        #expect(split.indices == direct.indices)
        // The same pair may sit in another GEMM tile: equal up to the kernel's rounding.
        #expect(zip(split.distances, direct.distances).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($1)) })
    }

    @Test("bad rows, another width and a width of zero are clear errors")
    func badInput() throws {
        #expect(throws: TripletError.self) { _ = try KNNReferences(width: 0, metric: .euclidean) }
        var refs = try KNNReferences(Tensor(shape: [2, 2], scalars: [0, 1, 1, 0]), metric: .cosine)
        #expect(throws: TripletError.self) { try refs.append(Tensor(shape: [1, 3], scalars: [1, 2, 3])) }
        #expect(throws: TripletError.self) { try refs.append(Tensor(shape: [1, 2], scalars: [.nan, 1])) }
        #expect(refs.count == 2)
        let query = try Tensor(shape: [1, 3], scalars: [1, 2, 3])
        #expect(throws: TripletError.self) { _ = try ExactKNN.search(queries: query, references: refs, k: 1) }
        let fits = try Tensor(shape: [1, 2], scalars: [1, 0])
        #expect(throws: TripletError.self) { _ = try ExactKNN.search(queries: fits, references: refs, k: 3) }
        // Rows outside the references, or references of another metric, change nothing.
        #expect(throws: TripletError.self) { try refs.removeRows(1..<3) }
        #expect(throws: TripletError.self) {
            try refs.append(contentsOf: KNNReferences(Tensor(shape: [1, 2], scalars: [1, 0]), metric: .dot))
        }
        #expect(refs.count == 2)
        let empty = try KNNReferences(width: 2, metric: .euclidean)
        #expect(throws: TripletError.self) { _ = try ExactKNN.search(queries: fits, references: empty, k: 1) }
    }
}
