import Foundation
import Testing
import TripletCore
import TripletEvaluation

/// ROC, AUC, EER, TAR@FAR and fold accuracy against scikit-learn's roc_curve / roc_auc_score / KFold.
@Suite("Verification metrics against scikit-learn")
struct VerificationReferenceTests {
    static let tolerance = 1e-6

    static func reference() throws -> [String: Any] { try ReferenceData.json().object("verification")! }

    @Test(arguments: ["ties", "similarity"])
    func matchesSklearn(name: String) throws {
        let c = try Self.reference().objects("cases").first { $0.string("name") == name }!
        let kind = VerificationScoreKind(rawValue: c.string("kind")!)!
        let scores = try ReferenceData.doubles(c.string("scores")!)
        let isSame = try ReferenceData.bools(c.string("same")!)
        let report = try VerificationMetrics.evaluate(scores: scores, isSame: isSame, kind: kind)
        // The reference works on similarities: a distance d is the similarity −d.
        let sign = kind == .distance ? -1.0 : 1.0
        #expect(abs(report.areaUnderCurve - c.double("auc")!) <= Self.tolerance, "AUC \(report.areaUnderCurve)")
        #expect(abs(report.equalErrorRate - c.double("eer")!) <= Self.tolerance, "EER \(report.equalErrorRate)")
        for far in [1e-1, 1e-2, 1e-3] {
            let expected = c.object("tarAtFar")!.double("\(far)")!
            #expect(abs(report.trueAcceptRate(atFalseAcceptRate: far)! - expected) <= Self.tolerance, "TAR@\(far)")
        }
        #expect(abs(report.bestAccuracy - c.double("bestAccuracy")!) <= 1e-12)
        // (JSONSerialization may round the last bit of a number: thresholds compare to 1e-12.)
        #expect(abs(report.bestThreshold - sign * c.double("bestThreshold")!) <= 1e-12)
        let folds = try #require(report.folds), expected = c.object("folds")!
        #expect(folds.accuracies.count == 10)
        for (got, want) in zip(folds.accuracies, expected.doubles("foldAccuracies")) {
            #expect(abs(got - want) <= 1e-12)
        }
        #expect(abs(folds.mean - expected.double("mean")!) <= 1e-12)
        #expect(abs(folds.standardDeviation - expected.double("std")!) <= 1e-12)
        if c["fpr"] != nil {
            let roc = report.roc
            #expect(roc.falseAcceptRates.count == c.doubles("fpr").count)
            for (got, want) in zip(roc.falseAcceptRates, c.doubles("fpr")) { #expect(abs(got - want) <= 1e-12) }
            for (got, want) in zip(roc.trueAcceptRates, c.doubles("tpr")) { #expect(abs(got - want) <= 1e-12) }
            #expect(roc.thresholds.count == c.doubles("thresholds").count + 1)
            for (got, want) in zip(roc.thresholds.dropFirst(), c.doubles("thresholds")) {
                #expect(abs(got - sign * want) <= 1e-12)
            }
            #expect(roc.thresholds[0] == sign * .infinity)
        }
    }

    @Test func pairDistancesMatchNumPy() throws {
        let reference = try Self.reference().object("pairDistances")!
        let index = reference["pairs"] as! [[Int]]
        let embeddings = try ReferenceData.tensor("self_queries.npy")
        let pairs = try VerificationPairs(
            first: index.map { $0[0] }, second: index.map { $0[1] },
            labels: try ReferenceData.ints("self_query_labels.npy"))
        for metric in KNNMetric.allCases {
            let got = try pairs.distances(embeddings, metric: metric)
            for (g, want) in zip(got, reference.doubles(metric.rawValue)) {
                #expect(abs(g - want) <= 1e-9 * max(1, abs(want)), "\(metric)")
            }
        }
    }
}
