import Testing
import TripletCore
import TripletEvaluation

@Suite("Verification metrics and pairs: definitions and bad input")
struct VerificationTests {
    @Test func perfectAndHandComputedCurves() throws {
        // Similarities: genuine 0.9, 0.8; impostor 0.3, 0.1 → AUC 1, EER 0, every TAR 1.
        let perfect = try VerificationMetrics.evaluate(
            scores: [0.9, 0.3, 0.8, 0.1], isSame: [true, false, true, false], kind: .similarity, folds: 2)
        #expect(perfect.areaUnderCurve == 1 && perfect.equalErrorRate == 0 && perfect.bestAccuracy == 1)
        #expect(perfect.tarAtFAR.allSatisfy { $0.trueAcceptRate == 1 })
        #expect(perfect.bestThreshold == 0.8)
        // Distances: genuine 1, 3; impostor 2, 4. Points (FAR, TAR): (0,0) (0,½) (½,½) (½,1) (1,1).
        let roc = try VerificationMetrics.roc(scores: [1, 2, 3, 4], isSame: [true, false, true, false])
        #expect(roc.thresholds == [-.infinity, 1, 2, 3, 4])
        #expect(roc.falseAcceptRates == [0, 0, 0.5, 0.5, 1] && roc.trueAcceptRates == [0, 0.5, 0.5, 1, 1])
        #expect(roc.areaUnderCurve == 0.75)
        #expect(roc.equalErrorRate == 0.5)  // FRR − FAR: 1, ½, 0 → crosses at the third point
        #expect(roc.trueAcceptRate(atFalseAcceptRate: 0.1) == 0.5)
        // Ties: a genuine and an impostor pair with the same score make one diagonal step (AUC ½).
        let tied = try VerificationMetrics.roc(scores: [0.5, 0.5], isSame: [true, false], kind: .similarity)
        #expect(tied.areaUnderCurve == 0.5 && tied.equalErrorRate == 0.5 && tied.thresholds.count == 2)
    }

    @Test func foldsFollowSklearnKFoldSizes() throws {
        // 23 pairs in 10 folds: three of 3 pairs, seven of 2.
        var g = SeededGenerator(seed: 4)
        let scores = (0..<23).map { _ in Double(g.nextNormal()) }
        let isSame = (0..<23).map { $0 % 3 == 0 }
        let folds = try VerificationMetrics.foldAccuracy(scores: scores, isSame: isSame, kind: .similarity)
        #expect(folds.accuracies.count == 10)
        #expect(folds.accuracies.allSatisfy { [0, 1.0 / 3, 0.5, 2.0 / 3, 1].contains($0) })
        #expect(abs(folds.mean - folds.accuracies.reduce(0, +) / 10) < 1e-15)
    }

    @Test func pairsCoverEverySameLabelPairAndDistinctImpostors() throws {
        let labels = [0, 0, 0, 1, 1, 2, 2, 2, 2, 3]  // 3 + 1 + 6 = 10 same-label pairs
        let pairs = try VerificationPairs.make(labels: labels, seed: 11)
        #expect(pairs.count == 20 && pairs.isSame.filter { $0 }.count == 10)
        let keys = zip(pairs.first, pairs.second).map { [$0, $1] }
        #expect(Set(keys).count == 20 && keys.allSatisfy { $0[0] < $0[1] })
        for (k, same) in zip(keys, pairs.isSame) { #expect((labels[k[0]] == labels[k[1]]) == same) }
        #expect(try VerificationPairs.make(labels: labels, seed: 11) == pairs)
        #expect(try VerificationPairs.make(labels: labels, seed: 12) != pairs)
        // Every different pair (35), and a sparse draw from many samples.
        #expect(try VerificationPairs.make(labels: labels, impostors: 35).count == 45)
        let many = try VerificationPairs.make(labels: (0..<400).map { $0 % 40 }, impostors: 50, seed: 2)
        #expect(many.count == 40 * 45 + 50 && Set(zip(many.first, many.second).map { [$0, $1] }).count == many.count)
        // Pairs feed the metrics: identical embeddings per label give a perfect curve.
        let e = try Tensor(shape: [10, 2], scalars: labels.flatMap { [Float($0), Float($0 * $0)] })
        let report = try VerificationMetrics.evaluate(
            scores: try pairs.distances(e), isSame: pairs.isSame, folds: nil)
        #expect(report.areaUnderCurve == 1 && report.folds == nil)
    }

    @Test func badInputThrows() throws {
        func expectError(_ what: Comment, _ body: () throws -> Void) {
            #expect(throws: TripletError.self, what) { try body() }
        }
        let s: [Double] = [0.1, 0.2, 0.3, 0.4], same = [true, false, true, false]
        expectError("lengths") { _ = try VerificationMetrics.evaluate(scores: s, isSame: [true, false]) }
        expectError("empty") { _ = try VerificationMetrics.roc(scores: [], isSame: []) }
        expectError("NaN") { _ = try VerificationMetrics.evaluate(scores: [0.1, .nan, 0.3, 0.4], isSame: same) }
        expectError("infinity") { _ = try VerificationMetrics.roc(scores: [0.1, -.infinity], isSame: [true, false]) }
        expectError("all same") { _ = try VerificationMetrics.evaluate(scores: s, isSame: [true, true, true, true]) }
        expectError("all different") {
            _ = try VerificationMetrics.roc(scores: s, isSame: [false, false, false, false])
        }
        expectError("FAR 0") { _ = try VerificationMetrics.evaluate(scores: s, isSame: same, farTargets: [0]) }
        expectError("FAR 2") { _ = try VerificationMetrics.evaluate(scores: s, isSame: same, farTargets: [2]) }
        expectError("1 fold") { _ = try VerificationMetrics.evaluate(scores: s, isSame: same, folds: 1) }
        expectError("5 folds of 4") { _ = try VerificationMetrics.foldAccuracy(scores: s, isSame: same, folds: 5) }
        expectError("one sample") { _ = try VerificationPairs.make(labels: [0]) }
        expectError("one class") { _ = try VerificationPairs.make(labels: [3, 3, 3]) }
        expectError("no shared label") { _ = try VerificationPairs.make(labels: [0, 1, 2]) }
        expectError("too many impostors") { _ = try VerificationPairs.make(labels: [0, 0, 1], impostors: 3) }
        expectError("no impostors") { _ = try VerificationPairs.make(labels: [0, 0, 1], impostors: 0) }
        expectError("index") { _ = try VerificationPairs(first: [0], second: [5], labels: [0, 1]) }
        expectError("lists") { _ = try VerificationPairs(first: [0, 1], second: [1], labels: [0, 1]) }
        let pairs = try VerificationPairs(first: [0], second: [1], labels: [0, 1])
        expectError("NaN embedding") { _ = try pairs.distances(try Tensor(shape: [2, 1], scalars: [0, .nan])) }
        expectError("pair outside embeddings") { _ = try pairs.distances(try Tensor(shape: [1, 1], scalars: [0])) }
    }
}
