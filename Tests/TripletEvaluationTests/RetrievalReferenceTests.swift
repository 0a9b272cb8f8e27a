import Foundation
import Testing
import TripletCore
import TripletEvaluation

/// TripletKit's retrieval metrics against PML 2.9.0's AccuracyCalculator on the same exact neighbours.
@Suite("Retrieval metrics against PML")
struct RetrievalReferenceTests {
    static let tolerance = 1e-6

    static func cases() throws -> [[String: Any]] { try ReferenceData.json().objects("retrieval") }

    @Test func everyCaseAndKMatchesPML() throws {
        let cases = try Self.cases()
        #expect(cases.count == 3)
        var checked = 0
        for c in cases {
            let name = c.string("name")!, files = c.object("files")!
            let metric = KNNMetric(rawValue: c.string("metric")!)!
            let queries = try ReferenceData.tensor(files.string("queries")!)
            let queryLabels = try ReferenceData.ints(files.string("queryLabels")!)
            let excludeSelf = c["excludeSelf"] as! Bool
            for result in c.objects("results") {
                let k: RetrievalK? =
                    switch result["k"] {
                    case let s as String where s == "max_bin_count": .maxBinCount
                    case let n as NSNumber: .count(n.intValue)
                    default: nil
                    }
                let averaging = RetrievalAveraging(rawValue: result.string("averaging")!)!
                let recall = result.object("recallAtK") ?? [:]
                let recallAt = recall.keys.compactMap { Int($0) }.sorted()
                let scores =
                    excludeSelf
                    ? try RetrievalMetrics.compute(
                        embeddings: queries, labels: queryLabels, k: k, recallAt: recallAt, metric: metric,
                        averaging: averaging, threads: 2)
                    : try RetrievalMetrics.compute(
                        queries: queries, queryLabels: queryLabels,
                        references: try ReferenceData.tensor(files.string("references")!),
                        referenceLabels: try ReferenceData.ints(files.string("referenceLabels")!), k: k,
                        recallAt: recallAt, metric: metric, averaging: averaging, threads: 2)
                let what = "\(name) k=\(k.map(\.description) ?? "nil") \(averaging)"
                let pairs: [(Double, String)] = [
                    (scores.precisionAtOne, "precision_at_1"), (scores.rPrecision, "r_precision"),
                    (scores.mapAtR, "mean_average_precision_at_r"),
                    (scores.meanAveragePrecision, "mean_average_precision"),
                    (scores.meanReciprocalRank, "mean_reciprocal_rank"),
                ]
                for (got, key) in pairs {
                    let expected = result.double(key)!
                    #expect(abs(got - expected) <= Self.tolerance, "\(what) \(key): \(got) vs PML \(expected)")
                }
                for kk in recallAt {
                    let expected = recall.double("\(kk)")!
                    #expect(abs(scores.recall(at: kk)! - expected) <= Self.tolerance, "\(what) recall@\(kk)")
                }
                checked += 1
            }
        }
        #expect(checked == 18)
    }

    @Test func neighboursMatchTheReferenceOrderWithTies() throws {
        for c in try Self.cases() {
            let files = c.object("files")!
            let queries = try ReferenceData.tensor(files.string("queries")!)
            let excludeSelf = c["excludeSelf"] as! Bool
            let references = excludeSelf ? queries : try ReferenceData.tensor(files.string("references")!)
            let knn = try ExactKNN.search(
                queries: queries, references: references, k: 8, metric: KNNMetric(rawValue: c.string("metric")!)!,
                excludeSelf: excludeSelf, threads: 2)
            let expected = c["firstNeighbors"] as! [[Int]]
            for (q, row) in expected.enumerated() {
                #expect(knn.neighbors(of: q).map { Int($0) } == row, "\(c.string("name")!) query \(q)")
            }
        }
    }

    @Test func excludedQueriesAreThoseWithoutAMatch() throws {
        let split = try Self.cases().first { $0.string("name") == "split" }!
        let files = split.object("files")!
        let scores = try RetrievalMetrics.compute(
            queries: try ReferenceData.tensor(files.string("queries")!),
            queryLabels: try ReferenceData.ints(files.string("queryLabels")!),
            references: try ReferenceData.tensor(files.string("references")!),
            referenceLabels: try ReferenceData.ints(files.string("referenceLabels")!), k: .maxBinCount, threads: 1)
        // Query classes 10 and 11 (12 queries each) have no reference.
        #expect(scores.queryCount == 120 && scores.excludedQueryCount == 24)
        #expect(scores.k == 40)
    }
}
