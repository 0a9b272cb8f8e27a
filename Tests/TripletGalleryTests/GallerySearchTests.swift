import Foundation
import Testing
import TripletCore

@testable import TripletGallery

@Suite("Gallery search")
struct GallerySearchTests {
    @Test("identify ranks identities, unknown over the threshold")
    func identify() throws {
        let gallery = try makeGallery()
        try gallery.enroll(name: "ada", embeddings: [axis(0, 4), axis(0, 4, noise: 0.1)])
        try gallery.enroll(name: "bob", embeddings: [axis(1, 4)])
        try gallery.enroll(name: "cy", embeddings: [axis(2, 4)])
        let before = try gallery.identify(axis(0, 4, noise: 0.05), k: 2)
        #expect(before.matches.map(\.identity.name) == ["ada", "bob"])
        #expect(!before.isUnknown)
        try gallery.setCalibration(GalleryCalibration(threshold: 0.3, falseAcceptRate: 0, trueAcceptRate: 1))
        #expect(try gallery.identify(axis(0, 4, noise: 0.05)).accepted?.identity.name == "ada")
        #expect(try gallery.identify(axis(3, 4)).isUnknown)
        #expect(try gallery.identify(axis(0, 4), k: 10).matches.count == 3)
    }

    @Test("identify on an empty gallery is unknown")
    func emptyGallery() throws {
        #expect(try makeGallery().identify(axis(0, 4)).isUnknown)
    }

    @Test("verify accepts the right identity, rejects another, needs a threshold")
    func verify() throws {
        let gallery = try makeGallery()
        try gallery.enroll(name: "ada", embeddings: [axis(0, 4)])
        try gallery.enroll(name: "bob", embeddings: [axis(1, 4)])
        #expect(throws: TripletError.notCalibrated) { try gallery.verify(axis(0, 4), identity: "ada") }
        try gallery.setCalibration(GalleryCalibration(threshold: 0.3, falseAcceptRate: 0, trueAcceptRate: 1))
        let yes = try gallery.verify(axis(0, 4, noise: 0.1), identity: "ada")
        #expect(yes.accepted && abs(yes.distance - 0.1) < 1e-5)
        #expect(try !gallery.verify(axis(0, 4), identity: "bob").accepted)
        #expect(throws: TripletError.unknownIdentity("zed")) { try gallery.verify(axis(0, 4), identity: "zed") }
    }

    @Test("mean templates: one re-normalised mean per identity")
    func meanTemplates() throws {
        let gallery = try makeGallery(templates: .normalizedMean)
        try gallery.enroll(name: "ada", embeddings: [[1, 0, 0, 0], [0, 1, 0, 0]])
        let match = try #require(try gallery.identify([1, 1, 0, 0].map { $0 / Float(2).squareRoot() }).matches.first)
        #expect(match.identity.name == "ada" && match.distance < 1e-5)
    }

    @Test("calibrate picks the largest threshold with FAR at most the target and stores it")
    func calibrate() throws {
        let gallery = try makeGallery()
        // 10 genuine pairs at 0.1 ... 1.0, 10 impostor pairs at 0.55 ... 1.45.
        let genuine = (1...10).map { Float($0) / 10 }
        let impostor = (0..<10).map { 0.55 + Float($0) / 10 }
        let result = try gallery.calibrate(
            distances: genuine + impostor,
            isSame: Array(repeating: true, count: 10) + Array(repeating: false, count: 10),
            targetFAR: 0.1)
        #expect(abs(result.threshold - 0.6) < 1e-6)
        #expect(result.falseAcceptRate == 0.1)
        #expect(result.trueAcceptRate == 0.6)
        let reopened = try Gallery(path: gallery.path, fingerprint: "model-a", dimension: 4)
        #expect(try reopened.calibration == result)
        let strict = try gallery.calibrate(
            distances: genuine + impostor,
            isSame: Array(repeating: true, count: 10) + Array(repeating: false, count: 10),
            targetFAR: 0)
        #expect(strict.falseAcceptRate == 0 && strict.trueAcceptRate == 0.5)
    }

    @Test("identify from several threads while another enrolls")
    func concurrentReadersAndWriter() async throws {
        let gallery = try makeGallery(dimension: 8)
        try gallery.enroll(name: "seed", embeddings: [axis(0, 8)])
        try await withThrowingTaskGroup(of: Int.self) { group in
            group.addTask {
                for i in 0..<40 {
                    try gallery.enroll(name: "p\(i)", embeddings: [axis(1 + i % 7, 8, noise: Float(i) / 100)])
                }
                return 0
            }
            for _ in 0..<4 {
                group.addTask {
                    var hits = 0
                    for _ in 0..<100 where try gallery.identify(axis(0, 8)).matches.first?.identity.name == "seed" {
                        hits += 1
                    }
                    return hits
                }
            }
            var total = 0
            for try await hits in group { total += hits }
            #expect(total == 400)
        }
        #expect(try gallery.list().count == 41)
        #expect(try Gallery(path: gallery.path, fingerprint: "model-a", dimension: 8).list().count == 41)
    }
}

@Suite("Gallery edits and batches")
struct GalleryEditTests {
    @Test("a batch of queries gives one answer per row, in order")
    func batchIdentify() throws {
        let gallery = try makeGallery()
        try gallery.enroll(name: "ada", embeddings: [axis(0, 4)])
        try gallery.enroll(name: "bob", embeddings: [axis(1, 4)])
        let queries = try Tensor(rows: [axis(1, 4, noise: 0.1), axis(0, 4, noise: 0.1), axis(1, 4)])
        let answers = try gallery.identify(queries, k: 1)
        #expect(answers.map { $0.matches.first?.identity.name } == ["bob", "ada", "bob"])
    }

    @Test("rename onto a taken name, or edits of an unknown identity, throw and change nothing")
    func badEdits() throws {
        let gallery = try makeGallery()
        try gallery.enroll(name: "ada", embeddings: [axis(0, 4)])
        try gallery.enroll(name: "bob", embeddings: [axis(1, 4)])
        #expect(throws: TripletError.duplicateName("bob")) { try gallery.rename("ada", to: "bob") }
        #expect(throws: TripletError.unknownIdentity("zed")) { try gallery.rename("zed", to: "cy") }
        #expect(throws: TripletError.unknownIdentity("zed")) { try gallery.remove(identity: "zed") }
        let reopened = try Gallery(path: gallery.path, fingerprint: "model-a", dimension: 4)
        #expect(try reopened.list().map(\.name) == ["ada", "bob"])
    }
}
