import Testing
import TripletCore

@testable import TripletLinear

/// The full (low-rank) relative-comparison learner: its step follows the gradient of its objective, and
/// it learns comparisons the identity gets wrong.
@Suite struct LowRankRelativeComparisonsTests {
    static func data() throws -> (Tensor, [Comparison]) {
        var g = SeededGenerator(seed: 4)
        let n = 40, d = 5
        let labels = (0..<n).map { $0 % 4 }
        // The class shows in feature 0 only; the other features are larger noise.
        let scalars = (0..<n * d).map { i -> Float in
            i % d == 0 ? Float(labels[i / d]) * 0.5 + 0.05 * g.nextNormal() : 0.8 * g.nextNormal()
        }
        var draw = try LabelComparisons(labels: labels, seed: 9)
        return (try Tensor(shape: [n, d], scalars: scalars), draw.next(400))
    }

    /// (1 / 2CN) ‖LᵀL‖²_F + (1/B) Σ max(0, 1 − ‖L u‖² + ‖L v‖²), in Double.
    static func objective(_ l: [Double], rank r: Int, _ x: Tensor, _ batch: [Comparison], c: Double, n: Int) -> Double {
        let d = x.rowWidth
        var m = [Double](repeating: 0, count: d * d)
        for i in 0..<d { for j in 0..<d { for k in 0..<r { m[i * d + j] += l[k * d + i] * l[k * d + j] } } }
        var hinge = 0.0
        func squared(_ a: Int, _ b: Int) -> Double {
            (0..<r).reduce(0.0) { sum, k in
                let p = (0..<d).reduce(0.0) { $0 + l[k * d + $1] * Double(x[a, $1] - x[b, $1]) }
                return sum + p * p
            }
        }
        for t in batch { hinge += max(0, 1 - squared(t.anchor, t.negative) + squared(t.anchor, t.positive)) }
        return m.reduce(0) { $0 + $1 * $1 } / (2 * c * Double(n)) + hinge / Double(batch.count)
    }

    @Test func aStepFollowsTheGradient() throws {
        let (x, all) = try Self.data()
        let batch = Array(all.prefix(30)), r = 3, d = x.rowWidth, c = 0.5
        var g = SeededGenerator(seed: 1)
        let l0 = (0..<r * d).map { _ in 0.4 * g.nextNormal() }
        var l = l0
        var step = LowRankRelativeComparisons.Step(dimension: d, rank: r, batch: batch.count)
        _ = step.run(&l, features: x, batch: batch, regulariser: Float(2 / (c * 400)), learningRate: 1)
        let h = 1e-4
        for index in 0..<r * d {
            var plus = l0.map(Double.init), minus = plus
            plus[index] += h
            minus[index] -= h
            let numeric =
                (Self.objective(plus, rank: r, x, batch, c: c, n: 400)
                    - Self.objective(minus, rank: r, x, batch, c: c, n: 400)) / (2 * h)
            #expect(abs(Double(l0[index] - l[index]) - numeric) <= 1e-3 * max(1, abs(numeric)), "entry \(index)")
        }
    }

    @Test func itLearnsWhatTheIdentityGetsWrong() throws {
        let (x, comparisons) = try Self.data()
        func accuracy(_ l: [Float], rank r: Int) -> Double {
            let d = x.rowWidth
            func squared(_ a: Int, _ b: Int) -> Float {
                (0..<r).reduce(0) { sum, k in
                    let p = (0..<d).reduce(Float(0)) { $0 + l[k * d + $1] * (x[a, $1] - x[b, $1]) }
                    return sum + p * p
                }
            }
            let right = comparisons.filter { squared($0.anchor, $0.negative) > squared($0.anchor, $0.positive) }
            return Double(right.count) / Double(comparisons.count)
        }
        let identity = (0..<25).map { Float($0 % 6 == 0 ? 1 : 0) }
        let fitted = try LowRankRelativeComparisons(c: 1, rank: 2, epochs: 30, learningRate: 0.05, batchSize: 50)
            .fit(features: x, comparisons: comparisons)
        #expect(fitted.rank == 2 && fitted.projection.count == 10)
        #expect(accuracy(fitted.projection, rank: 2) > accuracy(identity, rank: 5) + 0.1)
        #expect(throws: TripletError.self) {
            try LowRankRelativeComparisons(c: 1, rank: 6).fit(features: x, comparisons: comparisons)
        }
        #expect(throws: TripletError.self) { try LowRankRelativeComparisons(c: 1, learningRate: .nan) }
        #expect(throws: TripletError.self) { try LowRankRelativeComparisons(c: 1, batchSize: 0) }
    }
}
