import Foundation
import Testing
import TripletCore
import TripletEvaluation

@Suite("k-means, NMI and AMI: properties and bad input")
struct ClusteringTests {
    static func points(_ rows: [[Float]]) throws -> Tensor { try Tensor(rows: rows) }

    @Test func scoresIgnoreTheNamesOfGroupsAndAreSymmetric() throws {
        let a = [0, 0, 1, 1, 2, 2, 2, 0], b = [5, 5, 5, 9, 9, 7, 7, 7]
        let renamed = b.map { [5: 1, 9: -3, 7: 100][$0]! }
        for f in [ClusteringMetrics.normalizedMutualInformation, ClusteringMetrics.adjustedMutualInformation] {
            let base = try f(a, b, .arithmetic)
            #expect(abs(try f(a, renamed, .arithmetic) - base) < 1e-12)
            #expect(abs(try f(b, a, .arithmetic) - base) < 1e-12)
        }
        #expect(try ClusteringMetrics.normalizedMutualInformation(labels: a, clusters: a) == 1)
        #expect(abs(try ClusteringMetrics.adjustedMutualInformation(labels: a, clusters: a) - 1) < 1e-12)
        #expect(
            abs(try ClusteringMetrics.mutualInformation(labels: [0, 0, 1, 1], clusters: [0, 0, 1, 1]) - log(2)) < 1e-12)
    }

    @Test func clusteringMetricsRejectBadInput() {
        #expect(throws: TripletError.self) {
            _ = try ClusteringMetrics.normalizedMutualInformation(labels: [0, 1], clusters: [0])
        }
        #expect(throws: TripletError.self) {
            _ = try ClusteringMetrics.adjustedMutualInformation(labels: [], clusters: [])
        }
        #expect(throws: TripletError.self) { _ = try ClusteringMetrics.mutualInformation(labels: [0], clusters: []) }
    }

    @Test func kMeansIsDeterministicAndExactOnTrivialCases() throws {
        var g = SeededGenerator(seed: 9)
        let x = try Tensor(shape: [200, 3], scalars: (0..<600).map { _ in g.nextNormal() })
        let a = try KMeans(clusters: 5, seed: 3).fit(x, threads: 2)
        let b = try KMeans(clusters: 5, seed: 3).fit(x, threads: 2)
        #expect(a == b)
        #expect(a.centroids.shape == [5, 3] && a.assignments.count == 200 && Set(a.assignments).count == 5)
        // One cluster: the mean. As many clusters as points: inertia 0.
        let one = try KMeans(clusters: 1, restarts: 1).fit(x, threads: 1)
        for j in 0..<3 {
            let mean = (0..<200).reduce(0.0) { $0 + Double(x[$1, j]) } / 200
            #expect(abs(Double(one.centroids[0, j]) - mean) < 1e-5)
        }
        let small = try Self.points([[0, 0], [1, 0], [5, 5]])
        #expect(try KMeans(clusters: 3).fit(small, threads: 1).inertia == 0)
    }

    @Test func duplicatePointsLeaveNoClusterEmpty() throws {
        // Six copies of one point and two others, four clusters: seeding can pick a copy twice; the empty
        // cluster then takes the point farthest from its centre.
        let x = try Self.points([[1, 1], [1, 1], [1, 1], [1, 1], [1, 1], [1, 1], [0, 9], [9, 0]])
        for seed: UInt64 in 0..<20 {
            let r = try KMeans(clusters: 4, restarts: 1, seed: seed).fit(x, threads: 1)
            #expect(r.inertia.isFinite && r.assignments.allSatisfy { (0..<4).contains($0) })
            #expect(r.inertia < 1e-9, "seed \(seed)")
        }
    }

    @Test func kMeansRejectsBadInput() throws {
        let x = try Self.points([[0, 0], [1, 1], [2, 2]])
        let nan = try Self.points([[0, 0], [.nan, 1]])
        #expect(throws: TripletError.self) { _ = try KMeans(clusters: 0).fit(x) }
        #expect(throws: TripletError.self) { _ = try KMeans(clusters: 4).fit(x) }
        #expect(throws: TripletError.self) { _ = try KMeans(clusters: 2, restarts: 0).fit(x) }
        #expect(throws: TripletError.self) { _ = try KMeans(clusters: 2, maxIterations: 0).fit(x) }
        #expect(throws: TripletError.self) { _ = try KMeans(clusters: 2, tolerance: -1).fit(x) }
        #expect(throws: TripletError.self) { _ = try KMeans(clusters: 2, tolerance: .nan).fit(x) }
        #expect(throws: TripletError.self) { _ = try KMeans(clusters: 2).fit(x, threads: 0) }
        #expect(throws: TripletError.self) { _ = try KMeans(clusters: 1).fit(nan) }
        #expect(throws: TripletError.self) { _ = try KMeans(clusters: 1).fit(try Tensor(shape: [0, 2], scalars: [])) }
        #expect(throws: TripletError.self) { _ = try ClusteringMetrics.evaluate(embeddings: x, labels: [0, 1]) }
    }
}
