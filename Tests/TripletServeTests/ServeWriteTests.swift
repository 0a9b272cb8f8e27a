import Foundation
import Testing
import TripletGallery
import TripletKit

@testable import TripletServe

@Suite("triplet serve: the gallery and its access control")
struct ServeWriteTests {
    @Test("without a configured token every write is refused (403), reads stay open")
    func writesRefusedWithoutToken() async throws {
        let running = try await RunningServer.start(try makeServer())
        defer { Task { try await running.stop() } }
        let enroll = try await running.json(
            "POST", "/v1/identities", ["name": "ada", "image": try base64(0)], token: "x")
        #expect(enroll.status == 403 && errorCode(enroll.json) == "writes_disabled")
        let remove = try await running.json("DELETE", "/v1/identities/ada")
        #expect(remove.status == 403)
        let list = try await running.json("GET", "/v1/identities")
        #expect(list.status == 200 && (list.json["identities"] as? [Any])?.isEmpty == true)
    }

    @Test("enroll needs the token (401 without, 403 wrong); then identify, calibrate, verify, list and remove")
    func galleryRoundTrip() async throws {
        let file = try temporaryFolder().appendingPathComponent("g.sqlite")
        let running = try await RunningServer.start(
            try makeServer(access: try AccessControl(writeToken: "s3cret"), gallery: file))
        defer { Task { try await running.stop() } }
        let ada: [String: Any] = ["name": "ada", "images": [try base64(0), try base64(0, shade: 0.2)]]

        let anonymous = try await running.json("POST", "/v1/identities", ada)
        #expect(anonymous.status == 401 && errorCode(anonymous.json) == "unauthorized")
        let wrong = try await running.json("POST", "/v1/identities", ada, token: "s3creT")
        #expect(wrong.status == 403 && errorCode(wrong.json) == "forbidden")
        let raw = try await running.call("POST", "/v1/identities", body: Data("{}".utf8), type: "application/json")
        #expect(raw.headers["www-authenticate"] == "Bearer")
        let enrolled = try await running.json("POST", "/v1/identities", ada, token: "s3cret")
        #expect(enrolled.status == 201 && enrolled.json["samples"] as? Int == 2)
        let again = try await running.json("POST", "/v1/identities", ada, token: "s3cret")
        #expect(again.status == 409 && errorCode(again.json) == "duplicate_name")
        // One image as the raw body, the name in the query string.
        let bob = try await running.call(
            "POST", "/v1/identities?name=bob", body: Data(try png(3)), type: "image/png", token: "s3cret")
        #expect(bob.status == 201)

        let identify = try await running.json(
            "POST", "/v1/identify", ["images": [try base64(0), try base64(3)], "k": 2])
        let answers = try #require(identify.json["results"] as? [[String: Any]])
        #expect(answers.map { $0["identity"] as? String } == ["ada", "bob"])
        #expect((answers[0]["matches"] as? [[String: Any]])?.map { $0["name"] as? String } == ["ada", "bob"])

        // Verify needs a threshold: 409 before calibrate, which is a write.
        let early = try await running.json("POST", "/v1/verify", ["identity": "ada", "image": try base64(0)])
        #expect(early.status == 409 && errorCode(early.json) == "not_calibrated")
        let probes: [String: Any] = [
            "images": [try base64(0, shade: 0.3), try base64(3, shade: 0.3), try base64(1), try base64(2)],
            "identities": ["ada", "bob", NSNull(), NSNull()], "target_far": 0.0,
        ]
        #expect(try await running.json("POST", "/v1/calibrate", probes).status == 401)
        let calibrated = try await running.json("POST", "/v1/calibrate", probes, token: "s3cret")
        #expect(calibrated.status == 200 && calibrated.json["false_accept_rate"] as? Double == 0)
        let accepted = try await running.json("POST", "/v1/verify", ["identity": "ada", "image": try base64(0)])
        #expect(accepted.status == 200 && accepted.json["accepted"] as? Bool == true)
        let rejected = try await running.call(
            "POST", "/v1/verify?identity=ada", body: Data(try png(2)), type: "image/png")
        #expect(rejected.status == 200)
        #expect(
            (try JSONSerialization.jsonObject(with: rejected.body) as? [String: Any])?["accepted"] as? Bool == false)
        let stranger = try await running.json("POST", "/v1/identify", ["image": try base64(1)])
        #expect((stranger.json["results"] as? [[String: Any]])?.first?["unknown"] as? Bool == true)
        let nobody = try await running.json("POST", "/v1/verify", ["identity": "eve", "image": try base64(0)])
        #expect(nobody.status == 404 && errorCode(nobody.json) == "unknown_identity")

        let list = try await running.json("GET", "/v1/identities")
        #expect((list.json["identities"] as? [[String: Any]])?.map { $0["name"] as? String } == ["ada", "bob"])
        #expect((list.json["calibration"] as? [String: Any])?["basis"] as? String == "open-set")

        // A name with a space, a slash and a non-ASCII letter, percent-encoded in the path.
        let odd: [String: Any] = ["name": "ada lovelace/é", "embedding": pattern(1)]
        #expect(try await running.json("POST", "/v1/identities", odd, token: "s3cret").status == 201)
        #expect(
            try await running.json("DELETE", "/v1/identities/ada%20lovelace%2F%C3%A9", token: "s3cret").status == 200)
        #expect(try await running.json("DELETE", "/v1/identities/bob").status == 401)
        #expect(try await running.json("DELETE", "/v1/identities/bob", token: "s3cret").status == 200)
        let gone = try await running.json("DELETE", "/v1/identities/bob", token: "s3cret")
        #expect(gone.status == 404 && errorCode(gone.json) == "unknown_identity")
        try await running.stop()
        // The file holds what the server answered.
        let reopened = try Gallery(path: file, fingerprint: running.server.fingerprint, dimension: side * side)
        #expect(try reopened.list().map(\.name) == ["ada"])
    }

    @Test("a read token closes the reads (401 without, 403 wrong); the write token also reads; /health stays open")
    func readToken() async throws {
        let running = try await RunningServer.start(
            try makeServer(access: try AccessControl(writeToken: "w", readToken: "r")))
        defer { Task { try await running.stop() } }
        let body: [String: Any] = ["image": try base64(1)]
        #expect(try await running.json("POST", "/v1/search", body).status == 401)
        #expect(try await running.json("POST", "/v1/search", body, token: "x").status == 403)
        #expect(try await running.json("POST", "/v1/search", body, token: "r").status == 200)
        #expect(try await running.json("POST", "/v1/search", body, token: "w").status == 200)
        #expect(try await running.call("GET", "/metrics").status == 401)
        #expect(try await running.json("GET", "/health").status == 200)
        // The read token does not write.
        let enroll = try await running.json(
            "POST", "/v1/identities", ["name": "a", "image": try base64(0)], token: "r")
        #expect(enroll.status == 403)
    }

    @Test("tokens: constant-time equality, bearer parsing, token files, never in the description")
    func tokens() throws {
        #expect(AccessControl.equal(Array("abc".utf8), Array("abc".utf8)))
        #expect(!AccessControl.equal(Array("abc".utf8), Array("abd".utf8)))
        #expect(!AccessControl.equal(Array("abc".utf8), Array("abcd".utf8)))
        #expect(!AccessControl.equal([], Array("a".utf8)))
        #expect(AccessControl.bearer("Bearer  tok ") == Array("tok".utf8))
        #expect(AccessControl.bearer("Basic dG9r") == nil && AccessControl.bearer("Bearer") == nil)
        let folder = try temporaryFolder()
        let file = folder.appendingPathComponent("token")
        try Data("  hunter2 \nsecond line\n".utf8).write(to: file)
        #expect(try AccessControl.token(contentsOf: file) == "hunter2")
        try Data("\n".utf8).write(to: file)
        #expect(throws: TripletError.self) { try AccessControl.token(contentsOf: file) }
        #expect(throws: TripletError.self) { try AccessControl(writeToken: "") }
        let access = try AccessControl(writeToken: "hunter2")
        #expect(!"\(access)".contains("hunter2") && !String(reflecting: access).contains("hunter2"))
    }
}

/// A pattern's PNG as base64.
func base64(_ c: Int, shade: Float = 0.1) throws -> String {
    Data(try png(c, shade: shade)).base64EncodedString()
}
