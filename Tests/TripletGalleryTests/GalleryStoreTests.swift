import Foundation
import GRDB
import Testing
import TripletCore

@testable import TripletGallery

@Suite("Gallery storage")
struct GalleryStoreTests {
    @Test("enroll, list, rename, remove round trip through reopening")
    func roundTrip() throws {
        let gallery = try makeGallery()
        let a = try gallery.enroll(
            name: "ada", embeddings: [axis(0, 4), axis(0, 4, noise: 0.1)], metadata: ["zone": "1"])
        try gallery.enroll(name: "bob", embeddings: [axis(1, 4)])
        #expect(try gallery.list().map(\.name) == ["ada", "bob"])
        #expect(try gallery.list()[0].sampleCount == 2)
        try gallery.rename("bob", to: "carl")
        try gallery.remove(identity: "ada")
        let reopened = try Gallery(path: gallery.path, fingerprint: "model-a", dimension: 4)
        #expect(try reopened.list().map(\.name) == ["carl"])
        #expect(try reopened.embeddings(of: "carl").scalars == axis(1, 4))
        #expect(throws: TripletError.unknownIdentity("ada")) { try reopened.embeddings(of: "ada") }
        #expect(a >= 1)
    }

    @Test("reopening rebuilds the in-memory copy, metadata and calibration included")
    func reopenRebuilds() throws {
        let gallery = try makeGallery()
        try gallery.enroll(name: "ada", embeddings: [axis(0, 4)], metadata: ["badge": "42"])
        try gallery.enroll(name: "bob", embeddings: [axis(1, 4), axis(1, 4, noise: 0.2)])
        try gallery.setCalibration(GalleryCalibration(threshold: 0.5, falseAcceptRate: 0.01, trueAcceptRate: 0.9))
        let reopened = try Gallery(path: gallery.path, fingerprint: "model-a", dimension: 4)
        #expect(try reopened.list() == gallery.list())
        #expect(try reopened.list()[0].metadata == ["badge": "42"])
        #expect(try reopened.calibration?.threshold == 0.5)
        #expect(try reopened.identify(axis(1, 4, noise: 0.19)).accepted?.identity.name == "bob")
    }

    @Test("a duplicate name is refused and leaves the gallery unchanged")
    func duplicateName() throws {
        let gallery = try makeGallery()
        try gallery.enroll(name: "ada", embeddings: [axis(0, 4)])
        #expect(throws: TripletError.duplicateName("ada")) { try gallery.enroll(name: "ada", embeddings: [axis(1, 4)]) }
        #expect(try gallery.embeddings(of: "ada").rowCount == 1)
    }

    @Test("an empty or blank name is refused, for enroll and rename")
    func blankNames() throws {
        let gallery = try makeGallery()
        for name in ["", "  ", "\t\n"] {
            #expect(throws: TripletError.self) { try gallery.enroll(name: name, embeddings: [axis(0, 4)]) }
        }
        try gallery.enroll(name: "ada", embeddings: [axis(0, 4)])
        #expect(throws: TripletError.self) { try gallery.rename("ada", to: " ") }
        #expect(try gallery.list().map(\.name) == ["ada"])
    }

    @Test("wrong dimension and NaN are refused")
    func badEmbeddings() throws {
        let gallery = try makeGallery()
        #expect(throws: TripletError.dimensionMismatch(expected: 4, got: 3)) {
            try gallery.enroll(name: "ada", embeddings: [[1, 0, 0]])
        }
        #expect(throws: TripletError.nonFiniteValue(what: "embeddings", row: 1, column: 1)) {
            try gallery.enroll(name: "ada", embeddings: [axis(0, 4), [0, .nan, 0, 0]])
        }
        #expect(throws: TripletError.dimensionMismatch(expected: 4, got: 2)) { try gallery.identify([1, 0]) }
        #expect(try gallery.list().isEmpty)
    }

    @Test("another model's fingerprint, dimension or metric is refused")
    func anotherModel() throws {
        let gallery = try makeGallery()
        try gallery.enroll(name: "ada", embeddings: [axis(0, 4)])
        #expect(throws: TripletError.fingerprintMismatch(stored: "model-a", given: "model-b")) {
            try Gallery(path: gallery.path, fingerprint: "model-b", dimension: 4)
        }
        #expect(throws: TripletError.settingsMismatch(name: "dimension", stored: "4", given: "8")) {
            try Gallery(path: gallery.path, fingerprint: "model-a", dimension: 8)
        }
        #expect(throws: TripletError.settingsMismatch(name: "metric", stored: "euclidean", given: "cosine")) {
            try Gallery(path: gallery.path, fingerprint: "model-a", dimension: 4, metric: .cosine)
        }
    }

    @Test("a file that is not SQLite is a clear error, not a crash")
    func corruptFile() throws {
        let url = try temporaryFolder().appendingPathComponent("bad.sqlite")
        try Data(repeating: 0x41, count: 4096).write(to: url)
        #expect {
            try Gallery(path: url, fingerprint: "model-a", dimension: 4)
        } throws: { error in
            guard case .corruptFile(let path, _) = error as? TripletError else { return false }
            return path == url.path
        }
    }

    @Test("another application's SQLite file is refused and left as it was")
    func foreignDatabase() throws {
        let url = try temporaryFolder().appendingPathComponent("other.sqlite")
        try DatabaseQueue(path: url.path).write { db in try db.execute(sql: "CREATE TABLE songs (title TEXT)") }
        #expect {
            try Gallery(path: url, fingerprint: "model-a", dimension: 4)
        } throws: { error in
            guard case .corruptFile(_, let reason) = error as? TripletError else { return false }
            return reason.contains("songs")
        }
        let tables = try DatabaseQueue(path: url.path).read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        #expect(tables == ["songs"])
    }

    @Test("a gallery file cut short is a clear error, not a crash")
    func truncatedGallery() throws {
        let gallery = try makeGallery()
        for i in 0..<200 { try gallery.enroll(name: "p\(i)", embeddings: [axis(i, 4, noise: Float(i))]) }
        let path = gallery.path
        // Checkpoint the WAL into the main file, then keep only its first pages.
        _ = try DatabaseQueue(path: path.path).writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
        }
        let copy = try temporaryFolder().appendingPathComponent("cut.sqlite")
        let bytes = try Data(contentsOf: path)
        try bytes.prefix(bytes.count / 2).write(to: copy)
        #expect(throws: TripletError.self) { try Gallery(path: copy, fingerprint: "model-a", dimension: 4) }
    }

    @Test("export writes embeddings, identity ids and JSON")
    func export() throws {
        let gallery = try makeGallery()
        try gallery.enroll(name: "ada", embeddings: [axis(0, 4), axis(2, 4)], metadata: ["homeTown": "London"])
        try gallery.enroll(name: "bob", embeddings: [axis(1, 4)])
        let folder = try temporaryFolder().appendingPathComponent("out")
        try gallery.export(to: folder)
        let npy = try Data(contentsOf: folder.appendingPathComponent("embeddings.npy"))
        #expect(npy.starts(with: [0x93] + Array("NUMPY".utf8)))
        #expect(npy.count > 3 * 4 * 4)
        let json = try JSONSerialization.jsonObject(
            with: Data(contentsOf: folder.appendingPathComponent("identities.json")))
        let identities = (json as? [String: Any])?["identities"] as? [[String: Any]]
        #expect(identities?.compactMap { $0["name"] as? String } == ["ada", "bob"])
        // Keys in snake_case (JSONFiles), as every JSON file TripletKit writes; metadata keys are the user's.
        let keys = ((json as? [String: Any])?.keys.map { $0 } ?? []) + (identities ?? []).flatMap { $0.keys }
        #expect(keys.allSatisfy { $0.range(of: "^[a-z0-9_]+$", options: .regularExpression) != nil }, "\(keys)")
        #expect(identities?.first?["sample_count"] as? Int == 2)
        #expect((identities?.first?["metadata"] as? [String: String]) == ["homeTown": "London"])
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("identities.npy").path))
    }
}
