import Testing
import TripletCore

@testable import TripletLinear

/// OASIS's steps beyond the conformance cases: the documented outcomes and bad inputs.
@Suite struct OASISTests {
    @Test func aZeroNormUpdateIsSkippedWithoutNaN() throws {
        var oasis = try OASIS(dimension: 3, aggressiveness: 0.5)
        let x = try Tensor(rows: [[0, 0, 0], [1, 2, 0], [0, 1, 1], [1, 2, 0]])
        // A zero query: l = 1, V = 0. Then x⁺ = x⁻ (rows 1 and 3): l = 1, V = 0.
        let run = try oasis.train(features: x, comparisons: [Comparison(0, 1, 2), Comparison(2, 1, 3)])
        #expect(run.hinges == [1, 1])
        #expect(run.skippedCount == 2 && run.updatedCount == 0)
        #expect(oasis.weights == [1, 0, 0, 0, 1, 0, 0, 0, 1])
    }

    @Test func aSatisfiedComparisonIsPassive() throws {
        var oasis = try OASIS(dimension: 2, aggressiveness: 0.5)
        let step = [Float](arrayLiteral: 2, 0).withUnsafeBufferPointer { a in
            [Float](arrayLiteral: 0, 1).withUnsafeBufferPointer { n in
                oasis.update(anchor: a.baseAddress!, positive: a.baseAddress!, negative: n.baseAddress!)
            }
        }
        #expect(step == OASIS.Step(hinge: 0, outcome: .passive))
        #expect(oasis.weights == [1, 0, 0, 1])
    }

    @Test func anUpdateReachesTheMarginWhenCAllows() throws {
        var oasis = try OASIS(dimension: 2, aggressiveness: 1e6)
        let x = try Tensor(rows: [[1, 0], [0, 1], [1, 0]])
        _ = try oasis.train(features: x, comparisons: [Comparison(0, 1, 2)])
        // After the step, S(x, x⁺) − S(x, x⁻) = 1 exactly.
        let again = try oasis.train(features: x, comparisons: [Comparison(0, 1, 2)])
        #expect(abs(again.hinges[0]) < 1e-6)
    }

    @Test func labelDrawsAreSeededAndValid() throws {
        let labels = [0, 0, 1, 1, 1, 2]
        var a = try LabelComparisons(labels: labels, seed: 5), b = try LabelComparisons(labels: labels, seed: 5)
        let drawn = a.next(500)
        #expect(drawn == b.next(500))
        for c in drawn {
            #expect(c.anchor != c.positive && labels[c.anchor] == labels[c.positive])
            #expect(labels[c.anchor] != labels[c.negative])
        }
        #expect(Set(drawn.map(\.negative)).count == 6)
        #expect(throws: TripletError.self) { try LabelComparisons(labels: [1, 1, 1], seed: 0) }
        #expect(throws: TripletError.self) { try LabelComparisons(labels: [0, 1, 2], seed: 0) }
    }

    @Test func badInputsAreClearErrors() throws {
        var oasis = try OASIS(dimension: 2, aggressiveness: 0.1)
        let wide = try Tensor(rows: [[1, 0, 0], [0, 1, 0], [0, 0, 1]])
        #expect(throws: TripletError.self) { try oasis.train(features: wide, comparisons: [Comparison(0, 1, 2)]) }
        let nan = try Tensor(rows: [[1, .nan], [0, 1], [1, 1]])
        #expect(throws: TripletError.self) { try oasis.train(features: nan, comparisons: [Comparison(0, 1, 2)]) }
        let x = try Tensor(rows: [[1, 0], [0, 1], [1, 1]])
        #expect(throws: TripletError.self) { try oasis.train(features: x, comparisons: []) }
        #expect(throws: TripletError.self) { try oasis.train(features: x, labels: [0, 1], steps: 3, seed: 0) }
        #expect(throws: TripletError.self) { try OASIS(dimension: 2, aggressiveness: -1) }
    }
}
