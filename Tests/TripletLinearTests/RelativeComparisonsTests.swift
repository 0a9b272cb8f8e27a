import Foundation
import Testing
import TripletCore

@testable import TripletLinear

/// Schultz & Joachims's diagonal metric against cvxpy's solution of the same QP
/// (Benchmarks/reference/relative_comparisons_qp.py): objective within 1e-4 relative, w close.
@Suite struct RelativeComparisonsTests {
    struct Reference: Decodable {
        var features: [[Double]]
        var comparisons: [[Int]]
        var C: Double
        var objective: Double
        var w: [Double]
    }

    static func reference(_ name: String) throws -> Reference {
        let url = try #require(
            Bundle.module.url(
                forResource: "relative_comparisons_\(name)", withExtension: "json", subdirectory: "Reference"))
        return try JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
    }

    @Test(arguments: ["small", "soft", "noisy"])
    func matchesTheQPReference(name: String) throws {
        let r = try Self.reference(name)
        let features = try Tensor(rows: r.features.map { $0.map(Float.init) })
        let learner = try RelativeComparisons(c: r.C)
        let metric = try learner.fit(
            features: features, comparisons: r.comparisons.map { Comparison($0[0], $0[1], $0[2]) })
        #expect(abs(metric.objective - r.objective) <= 1e-4 * r.objective, "\(metric.objective) vs \(r.objective)")
        #expect(metric.dualityGap <= 1e-6 * metric.objective)
        #expect(metric.dualObjective <= r.objective * (1 + 1e-6))
        let largest = r.w.map(abs).max() ?? 1
        let worst = zip(metric.weights, r.w).map { abs($0 - $1) }.max() ?? 0
        #expect(worst <= 1e-2 * largest, "w \(metric.weights) vs \(r.w)")
        #expect(metric.weights.allSatisfy { $0 >= 0 })
    }

    @Test func aZeroComparisonOnlyAddsItsSlack() throws {
        // Comparison 1 has positive = negative: z = 0, so its slack is 1 whatever w is.
        let x = try Tensor(rows: [[0, 0], [1, 0], [0, 3], [0, 1]])
        let learner = try RelativeComparisons(c: 1)
        let base = try learner.fit(features: x, comparisons: [Comparison(0, 1, 2)])
        let more = try learner.fit(features: x, comparisons: [Comparison(0, 1, 2), Comparison(0, 3, 3)])
        #expect(abs(more.objective - base.objective - 1) < 1e-6)
        #expect(zip(more.weights, base.weights).allSatisfy { abs($0 - $1) < 1e-3 })
    }

    @Test func noSatisfiableComparisonGivesZeroWeights() throws {
        let x = try Tensor(rows: [[3, 0], [0, 3], [3, 0]])
        let metric = try RelativeComparisons(c: 2).fit(features: x, comparisons: [Comparison(2, 1, 0)])
        #expect(metric.weights == [0, 0] && metric.objective == 2 && metric.dualityGap == 0)
    }

    @Test func badInputsAreClearErrors() throws {
        let x = try Tensor(rows: [[0, 0], [1, 0], [0, 3]])
        let learner = try RelativeComparisons(c: 1)
        #expect(throws: TripletError.self) { try learner.fit(features: x, comparisons: []) }
        #expect(throws: TripletError.self) { try learner.fit(features: x, comparisons: [Comparison(0, 1, 3)]) }
        let bad = try Tensor(rows: [[0, .nan], [1, 0], [0, 3]])
        #expect(throws: TripletError.self) { try learner.fit(features: bad, comparisons: [Comparison(0, 1, 2)]) }
        #expect(throws: TripletError.self) { try RelativeComparisons(c: 0) }
        #expect(throws: TripletError.self) { try RelativeComparisons(c: .infinity) }
    }

    @Test func solvesTwentyThousandComparisonsTightly() throws {
        var g = SeededGenerator(seed: 3)
        let n = 1000, d = 64
        let labels = (0..<n).map { $0 % 10 }
        let features = try Tensor(
            shape: [n, d],
            scalars: (0..<n * d).map { Float(labels[$0 / d] == ($0 % d) % 10 ? 1 : 0) + 0.5 * g.nextNormal() })
        var draw = try LabelComparisons(labels: labels, seed: 1)
        let comparisons = draw.next(20_000)
        let start = Date()
        let metric = try RelativeComparisons(c: 0.01, tolerance: 1e-6).fit(features: features, comparisons: comparisons)
        let seconds = Date().timeIntervalSince(start)
        print(
            "relative comparisons: 20 000 × 64 in \(seconds) s, \(metric.iterations) iterations, gap \(metric.dualityGap)"
        )
        #expect(metric.dualityGap <= 1e-6 * metric.objective)
    }
}
