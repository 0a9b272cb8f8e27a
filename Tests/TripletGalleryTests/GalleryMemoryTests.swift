import Foundation
import Testing
import TripletCore
import TripletEvaluation

@testable import TripletGallery

@Suite("Gallery memory copy")
struct GalleryMemoryTests {
    @Test(
        "after random enroll, remove and rename, the memory copy equals a fresh reopen",
        arguments: GalleryTemplates.allCases, [KNNMetric.euclidean, .cosine])
    func incrementalMatchesReopen(templates: GalleryTemplates, metric: KNNMetric) throws {
        let gallery = try makeGallery(dimension: 3, templates: templates, metric: metric)
        var generator = SeededGenerator(seed: 7)
        var names: [String] = []
        for step in 0..<120 {
            let action = generator.next() % 5
            if action < 3 || names.isEmpty {
                let n = Int(generator.next() % 4) + 1
                let rows = (0..<n).map { _ in (0..<3).map { _ in generator.nextNormal() } }
                try gallery.enroll(name: "p\(step)", embeddings: rows)
                names.append("p\(step)")
            } else if action == 3 {
                let victim = names.remove(at: Int(generator.next() % UInt64(names.count)))
                try gallery.remove(identity: victim)
            } else {
                let index = Int(generator.next() % UInt64(names.count))
                try gallery.rename(names[index], to: "r\(step)")
                names[index] = "r\(step)"
            }
            if step % 20 == 19 {
                let reopened = try Gallery(
                    path: gallery.path, fingerprint: "model-a", dimension: 3, metric: metric, templates: templates)
                #expect(gallery.memory == reopened.memory)
            }
        }
        let reopened = try Gallery(
            path: gallery.path, fingerprint: "model-a", dimension: 3, metric: metric, templates: templates)
        #expect(gallery.memory == reopened.memory)
        #expect(Set(try gallery.list().map(\.name)) == Set(names))
        let query = try Tensor(shape: [2, 3], scalars: [0.3, -0.2, 0.9, 1, 0, 0])
        #expect(try gallery.identify(query, k: 3) == reopened.identify(query, k: 3))
    }

    @Test("removing the identity with the most samples lowers the search's fan-out")
    func removeLargest() throws {
        let gallery = try makeGallery()
        try gallery.enroll(name: "big", embeddings: [axis(0, 4), axis(1, 4), axis(2, 4)])
        try gallery.enroll(name: "small", embeddings: [axis(3, 4)])
        #expect(gallery.memory.maxTemplatesPerIdentity == 3)
        try gallery.remove(identity: "big")
        #expect(gallery.memory.maxTemplatesPerIdentity == 1)
        #expect(gallery.memory.templates.rows == axis(3, 4))
        #expect(try gallery.embeddings(of: "small").scalars == axis(3, 4))
    }

    @Test("a write through another handle on the file (another process) is seen by the next read")
    func otherWriterIsSeen() throws {
        let a = try makeGallery(dimension: 3)
        let b = try Gallery(path: a.path, fingerprint: "model-a", dimension: 3)
        try a.enroll(name: "ada", embeddings: [axis(0, 3)])
        #expect(try b.identify(axis(0, 3)).matches.first?.identity.name == "ada")
        try b.enroll(name: "bob", embeddings: [axis(1, 3)])
        try b.setCalibration(GalleryCalibration(threshold: 0.5, falseAcceptRate: 0.01, trueAcceptRate: 0.9))
        // a's copy is two writes behind: its own write reloads rather than append to a stale copy.
        try a.enroll(name: "cy", embeddings: [axis(2, 3)])
        let fresh = try Gallery(path: a.path, fingerprint: "model-a", dimension: 3)
        #expect(a.memory == fresh.memory)
        #expect(try a.calibration == fresh.calibration)
        try b.remove(identity: "ada")
        #expect(try a.identify(axis(0, 3), k: 3).matches.map(\.identity.name).sorted() == ["bob", "cy"])
        try b.rename("bob", to: "robert")
        #expect(throws: TripletError.duplicateName("robert")) { try a.rename("cy", to: "robert") }
        #expect(throws: TripletError.unknownIdentity("bob")) { try a.remove(identity: "bob") }
        #expect(try a.list().map(\.name) == ["robert", "cy"])
        #expect(a.memory == b.memory)
    }
}
