import Foundation
import Testing
import TripletCore

@testable import TripletGallery

@Suite("Open-set calibration")
struct GalleryOpenSetCalibrationTests {
    /// ada at the origin, bob at (10, 0); genuine probes of ada at 0.1, 0.3, 0.5, of bob at 0.8, one
    /// "bob" probe nearest to ada (never right); ten never-enrolled probes at 0.15, 0.25, …, 1.05 from ada.
    static func setUp() throws -> (Gallery, Tensor, [String?]) {
        let gallery = try makeGallery(dimension: 2)
        try gallery.enroll(name: "ada", embeddings: [[0, 0]])
        try gallery.enroll(name: "bob", embeddings: [[10, 0]])
        let genuine: [([Float], String?)] = [
            ([0.1, 0], "ada"), ([0.3, 0], "ada"), ([0.5, 0], "ada"), ([9.2, 0], "bob"), ([1, 0], "bob"),
        ]
        let impostors: [([Float], String?)] = (0..<10).map { ([0, 0.15 + Float($0) / 10], nil) }
        let probes = genuine + impostors
        return (gallery, try Tensor(rows: probes.map(\.0)), probes.map(\.1))
    }

    @Test(
        "the threshold lets at most the target share of never-enrolled probes in; TAR counts right identities",
        arguments: [(0.0, 0, 1), (0.1, 1, 1), (0.3, 3, 2), (0.35, 3, 2), (1.0, 10, 4)])
    func rates(target: Double, impostorsIn: Int, genuineIn: Int) throws {
        let (gallery, probes, names) = try Self.setUp()
        let result = try gallery.calibrate(probes: probes, identities: names, targetFAR: target)
        #expect(result.basis == .openSet)
        #expect(result.falseAcceptRate == Double(impostorsIn) / 10)
        #expect(result.trueAcceptRate == Double(genuineIn) / 5)
        if impostorsIn < 10 {
            // The largest such threshold: just below the first impostor that must stay out (the rates
            // above, and identify below, show which side of it each probe falls).
            #expect(abs(result.threshold - (0.15 + Double(impostorsIn) / 10)) < 1e-6)
        }
        let answers = try gallery.identify(probes)
        #expect(answers[5...].count { !$0.isUnknown } == impostorsIn)
        #expect(zip(answers, names).count { $1 != nil && $0.accepted?.identity.name == $1 } == genuineIn)
        let reopened = try Gallery(path: gallery.path, fingerprint: "model-a", dimension: 2)
        #expect(try reopened.calibration == result)
    }

    @Test("an unknown name, probes of one kind only, a count mismatch or a bad target are clear errors")
    func badInput() throws {
        let (gallery, probes, names) = try Self.setUp()
        var renamed = names
        renamed[0] = "zed"
        #expect(throws: TripletError.unknownIdentity("zed")) {
            try gallery.calibrate(probes: probes, identities: renamed, targetFAR: 0.1)
        }
        #expect(throws: TripletError.self) {
            try gallery.calibrate(probes: probes, identities: names.map { _ in nil }, targetFAR: 0.1)
        }
        #expect(throws: TripletError.self) {
            try gallery.calibrate(probes: probes, identities: names.map { _ in "ada" }, targetFAR: 0.1)
        }
        #expect(throws: TripletError.self) {
            try gallery.calibrate(probes: probes, identities: Array(names.dropLast()), targetFAR: 0.1)
        }
        #expect(throws: TripletError.self) { try gallery.calibrate(probes: probes, identities: names, targetFAR: .nan) }
        #expect(try gallery.calibration == nil)
    }
}
