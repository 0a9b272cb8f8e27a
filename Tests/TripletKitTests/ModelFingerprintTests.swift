import Foundation
import Testing
import TripletKit

/// `ModelFingerprint` is FNV-1a 64 of the weights file, as 16 hex digits.
@Suite("Model fingerprint")
struct ModelFingerprintTests {
    @Test func knownHashes() {
        #expect(ModelFingerprint.of(bytes: Data()) == "cbf29ce484222325")
        #expect(ModelFingerprint.of(bytes: Data("a".utf8)) == "af63dc4c8601ec8c")
        #expect(ModelFingerprint.of(bytes: Data("foobar".utf8)) == "85944171f73967e8")
    }

    @Test func missingModelIsAClearError() {
        let folder = URL(fileURLWithPath: "/nonexistent-tripletkit-model")
        #expect(throws: TripletError.self) { try ModelFingerprint.of(directory: folder) }
    }
}
