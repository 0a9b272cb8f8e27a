import Foundation
import Testing
import TripletCore

@testable import TripletEvaluation

/// NDCG@k and graded MAP against hand-computed values and scikit-learn (`graded_retrieval.py`).
@Suite("Graded retrieval")
struct GradedRetrievalTests {
    /// Points on a line: from row 0 the others rank 1, 2, 3 by distance.
    static let line = try! Tensor(rows: [[0], [1], [2], [3]])

    @Test func handComputedRanking() throws {
        // Query 0 sees levels (0, 2, 1) in rank order; ideal (2, 1, 0).
        let levels = [[0, 0, 2, 1], [0, 0, 0, 0], [2, 0, 0, 0], [1, 0, 0, 0]]
        let s = try GradedRetrieval.compute(embeddings: Self.line, topLevel: 2, k: 2, threads: 1) { levels[$0][$1] }
        // Query 0: DCG@2 = 0 + 3/log2(3), IDCG@2 = 3 + 1/log2(3). Query 2 ranks 1, 3 (a tie at distance 1:
        // lower index first), then 0 (level 2): DCG@2 = 0. Query 3 ranks 2, 1, 0 (level 1): DCG@2 = 0.
        // Query 1 has no relevant row and is left out.
        let q0 = (3 / log2(3.0)) / (3 + 1 / log2(3.0))
        #expect(s.queryCount == 3)
        #expect(abs(s.ndcgAtK - q0 / 3) < 1e-12)
        // Threshold 1: AP(q0) = (1/2 + 2/3) / 2; q2 and q3 find their one relevant row third: 1/3 each.
        let t1 = ((0.5 + 2.0 / 3) / 2 + 1.0 / 3 + 1.0 / 3) / 3
        // Threshold 2: q0 finds row 2 second (1/2), q2 finds row 0 third (1/3); q3 has none.
        let t2 = (0.5 + 1.0 / 3) / 2
        #expect(abs(s.mapPerThreshold[0] - t1) < 1e-12 && abs(s.mapPerThreshold[1] - t2) < 1e-12)
        #expect(abs(s.gradedMAP - (t1 + t2) / 2) < 1e-12)
    }

    @Test(arguments: NDCGGain.allCases)
    func matchesScikitLearn(gain: NDCGGain) throws {
        let url = try #require(Bundle.module.url(forResource: "Reference/graded_reference", withExtension: "json"))
        let root = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let rows = try #require(root["embeddings"] as? [[Double]])
        let labels = try #require(root["labels"] as? [Int])
        let groups = try #require(root["groups"] as? [String: Int])
        let k = try #require(root["k"] as? Int)
        let s = try GradedRetrieval.compute(
            embeddings: try Tensor(rows: rows.map { $0.map(Float.init) }), fineLabels: labels,
            coarseGroups: Dictionary(uniqueKeysWithValues: groups.map { (Int($0.key)!, $0.value) }), k: k, gain: gain)
        let ndcg = try #require(root[gain == .linear ? "ndcg_linear" : "ndcg_exponential"] as? Double)
        #expect(abs(s.ndcgAtK - ndcg) < 1e-6, "\(s.ndcgAtK) vs \(ndcg)")
        let maps = try #require(root["map_per_threshold"] as? [Double])
        for (a, b) in zip(s.mapPerThreshold, maps) { #expect(abs(a - b) < 1e-6, "\(a) vs \(b)") }
        #expect(abs(s.gradedMAP - (root["graded_map"] as? Double ?? -1)) < 1e-6)
        #expect(s.queryCount == labels.count)
    }

    @Test func badInputs() throws {
        #expect(throws: TripletError.self) {
            try GradedRetrieval.compute(embeddings: Self.line, topLevel: 1, k: 4) { _, _ in 0 }
        }
        #expect(throws: TripletError.self) {
            try GradedRetrieval.compute(embeddings: Self.line, topLevel: 1, k: 2) { _, _ in 2 }
        }
        #expect(throws: TripletError.self) {
            try GradedRetrieval.compute(embeddings: Self.line, fineLabels: [0, 0, 1, 2], coarseGroups: [0: 0, 1: 0])
        }
        #expect(throws: TripletError.self) {
            try GradedRetrieval.compute(embeddings: Self.line, fineLabels: [0, 0], coarseGroups: [0: 0])
        }
    }
}
