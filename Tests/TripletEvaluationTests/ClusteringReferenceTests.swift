import Foundation
import Testing
import TripletCore
import TripletEvaluation

/// NMI / AMI against scikit-learn on saved assignments, and k-means against sklearn's KMeans.
@Suite("Clustering metrics against scikit-learn")
struct ClusteringReferenceTests {
    static func reference() throws -> [String: Any] { try ReferenceData.json().object("clustering")! }

    @Test func savedAssignmentsMatchSklearn() throws {
        let cases = try Self.reference().objects("assignments")
        #expect(cases.count == 3)
        for c in cases {
            let name = c.string("name")!
            let labels = try ReferenceData.ints(c.string("true")!), clusters = try ReferenceData.ints(c.string("pred")!)
            let nmi = try ClusteringMetrics.normalizedMutualInformation(labels: labels, clusters: clusters)
            let ami = try ClusteringMetrics.adjustedMutualInformation(labels: labels, clusters: clusters)
            #expect(abs(nmi - c.double("nmi")!) <= 1e-6, "\(name) NMI \(nmi) vs \(c.double("nmi")!)")
            #expect(abs(ami - c.double("ami")!) <= 1e-6, "\(name) AMI \(ami) vs \(c.double("ami")!)")
            for average in MutualInformationAverage.allCases {
                let n = try ClusteringMetrics.normalizedMutualInformation(
                    labels: labels, clusters: clusters, average: average)
                let a = try ClusteringMetrics.adjustedMutualInformation(
                    labels: labels, clusters: clusters, average: average)
                #expect(abs(n - c.object("nmiByAverage")!.double(average.rawValue)!) <= 1e-6, "\(name) NMI \(average)")
                #expect(abs(a - c.object("amiByAverage")!.double(average.rawValue)!) <= 1e-6, "\(name) AMI \(average)")
            }
        }
    }

    @Test func smallAndDegenerateLabellingsMatchSklearn() throws {
        let cases = try Self.reference().objects("inline")
        #expect(cases.count == 7)
        for c in cases {
            let labels = (c["true"] as! [Int]), clusters = (c["pred"] as! [Int])
            let nmi = try ClusteringMetrics.normalizedMutualInformation(labels: labels, clusters: clusters)
            let ami = try ClusteringMetrics.adjustedMutualInformation(labels: labels, clusters: clusters)
            #expect(abs(nmi - c.double("nmi")!) <= 1e-9, "\(labels) vs \(clusters): NMI \(nmi)")
            #expect(abs(ami - c.double("ami")!) <= 1e-9, "\(labels) vs \(clusters): AMI \(ami)")
        }
    }

    /// k-means cannot reproduce sklearn's clusters (different random generators, so different seeds), but
    /// on well-separated clusters both find the same partition: NMI within 0.02 of sklearn's.
    @Test func kMeansFindsWhatSklearnFinds() throws {
        let reference = try Self.reference().object("kmeans")!
        let points = try ReferenceData.tensor(reference.string("points")!)
        let labels = try ReferenceData.ints(reference.string("labels")!)
        for seed: UInt64 in [0, 1, 2] {
            let result = try KMeans(clusters: 10, seed: seed).fit(points, threads: 2)
            let nmi = try ClusteringMetrics.normalizedMutualInformation(labels: labels, clusters: result.assignments)
            #expect(abs(nmi - reference.double("sklearnNMI")!) <= 0.02, "seed \(seed): NMI \(nmi)")
            #expect(result.converged)
            let inertia = reference.double("sklearnInertia")!
            #expect(abs(result.inertia - inertia) <= 1e-3 * inertia, "seed \(seed): inertia \(result.inertia)")
        }
        let scores = try ClusteringMetrics.evaluate(embeddings: points, labels: labels, seed: 7, threads: 2)
        #expect(abs(scores.nmi - reference.double("sklearnNMI")!) <= 0.02 && scores.ami > 0.98)
    }
}
