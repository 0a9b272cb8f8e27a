import Foundation
import Testing
import TripletKit

@testable import TripletServe

#if canImport(Glibc)
    import Glibc
#endif

@Suite("triplet serve: limits and bad requests")
struct ServeLimitTests {
    @Test("body size, pixel count (before decoding), batch, k and bad input are 4xx JSON errors")
    func limits() async throws {
        let limits = ServeLimits(maximumBodyBytes: 4096, maximumPixels: 32 * 32, maximumBatch: 3, maximumK: 5)
        let running = try await RunningServer.start(try makeServer(limits: limits))
        defer { Task { try await running.stop() } }

        let big = try await running.call("POST", "/v1/embed", body: Data(count: 5000), type: "image/png")
        #expect(big.status == 413)
        #expect(
            errorCode(try JSONSerialization.jsonObject(with: big.body) as? [String: Any] ?? [:]) == "payload_too_large")

        // A 64×64 image (4096 pixels) over a limit of 1024: refused from its header.
        let large = try ImageEncoder.png(width: 64, height: 64, channels: 1, pixels: [UInt8](repeating: 0, count: 4096))
        #expect(try await running.call("POST", "/v1/embed", body: Data(large), type: "image/png").status == 413)
        // A 32×32 one is within the limit, and resized to the model's 8×8.
        let fits = try ImageEncoder.png(width: 32, height: 32, channels: 1, pixels: [UInt8](repeating: 9, count: 1024))
        #expect(try await running.call("POST", "/v1/embed", body: Data(fits), type: "image/png").status == 200)
        // A decompression bomb: a PNG whose header announces 50 000 × 50 000 pixels in 100 bytes.
        let bomb = try await running.call(
            "POST", "/v1/embed", body: Data(Self.pngHeader(width: 50_000, height: 50_000)), type: "image/png")
        #expect([400, 413].contains(bomb.status))
        // Not an image at all.
        let junk = try await running.call("POST", "/v1/embed", body: Data("hello".utf8), type: "image/png")
        #expect(junk.status == 400)
        #expect(errorCode(try JSONSerialization.jsonObject(with: junk.body) as? [String: Any] ?? [:]) == "bad_image")

        let four = try await running.json("POST", "/v1/embed", ["embeddings": Array(repeating: pattern(0), count: 4)])
        #expect(four.status == 413 && errorCode(four.json) == "batch_too_large")
        let none = try await running.json("POST", "/v1/embed", ["embeddings": [[Float]]()])
        #expect(none.status == 400 && errorCode(none.json) == "empty_batch")
        let k = try await running.json("POST", "/v1/search", ["embedding": pattern(0), "k": 6])
        #expect(k.status == 400 && errorCode(k.json) == "k_out_of_range")
        // Over the limit even where the index is smaller than k; within it, k is capped at the index's size.
        let kHuge = try await running.json("POST", "/v1/search", ["embedding": pattern(0), "k": 1000])
        #expect(kHuge.status == 400)
        let identifyK = try await running.json("POST", "/v1/identify", ["embedding": pattern(0), "k": 6])
        #expect(identifyK.status == 400 && errorCode(identifyK.json) == "k_out_of_range")
        let kZero = try await running.call("POST", "/v1/search?k=0", body: Data(try png(0)), type: "image/png")
        #expect(kZero.status == 400)
        let width = try await running.json("POST", "/v1/identify", ["embedding": [1, 2, 3]])
        #expect(width.status == 400 && errorCode(width.json) == "wrong_width")
        let samples = try await running.json("POST", "/v1/embed", ["samples": [[1, 2]]])
        #expect(samples.status == 400 && errorCode(samples.json) == "wrong_width")
        let two = try await running.json("POST", "/v1/embed", ["embedding": pattern(0), "samples": [pattern(0)]])
        #expect(two.status == 400 && errorCode(two.json) == "missing_samples")
        let badBase64 = try await running.json("POST", "/v1/embed", ["image": "%%%"])
        #expect(badBase64.status == 400 && errorCode(badBase64.json) == "bad_image")
        let notJSON = try await running.call("POST", "/v1/embed", body: Data("{".utf8), type: "application/json")
        #expect(notJSON.status == 400)
        let text = try await running.call("POST", "/v1/embed", body: Data("a".utf8), type: "text/plain")
        #expect(text.status == 415)
        let verifyTwo = try await running.json(
            "POST", "/v1/verify", ["identity": "a", "embeddings": [pattern(0), pattern(1)]])
        #expect(verifyTwo.status == 400 && errorCode(verifyTwo.json) == "one_sample")
    }

    @Test("a server without an index or a gallery answers those routes 404")
    func missingParts() async throws {
        let server = try TripletServer(model: try makeModel(), configuration: ServeConfiguration(port: 0))
        let running = try await RunningServer.start(server)
        defer { Task { try await running.stop() } }
        for route in ["/v1/search", "/v1/identify"] {
            let answer = try await running.json("POST", route, ["embedding": pattern(0)])
            #expect(answer.status == 404 && errorCode(answer.json) == "not_found")
        }
        #expect(try await running.json("GET", "/v1/identities").status == 404)
        #expect(try await running.json("GET", "/health").json["index_references"] == nil)
    }

    #if canImport(Glibc)
        @Test("a connection that sends nothing is closed after the idle timeout")
        func idleConnectionClosed() async throws {
            let model = try makeModel()
            let running = try await RunningServer.start(
                try TripletServer(model: model, configuration: ServeConfiguration(port: 0, idleTimeout: 1)))
            defer { Task { try await running.stop() } }
            let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            #expect(socket >= 0)
            defer { close(socket) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(running.base.port ?? 0).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            #expect(connected == 0)
            var timeout = timeval(tv_sec: 5, tv_usec: 0)
            setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            let start = ContinuousClock.now
            var byte: UInt8 = 0
            let read = recv(socket, &byte, 1, 0)  // 0: the server closed the connection
            #expect(read == 0)
            #expect(start.duration(to: .now) < .seconds(4))
        }
    #endif

    @Test("bad configurations are typed errors")
    func badConfiguration() throws {
        let model = try makeModel()
        #expect(throws: TripletError.self) {
            try TripletServer(model: model, configuration: ServeConfiguration(limits: ServeLimits(maximumK: 0)))
        }
        #expect(throws: TripletError.self) {
            try TripletServer(model: model, configuration: ServeConfiguration(workers: 0))
        }
        #expect(throws: TripletError.self) {
            try TripletServer(model: model, configuration: ServeConfiguration(idleTimeout: 0))
        }
        let wrongWidth = try EmbeddingIndex(embeddings: try Tensor(shape: [1, 3], scalars: [1, 0, 0]), labels: [0])
        #expect(throws: TripletError.dimensionMismatch(expected: side * side, got: 3)) {
            try TripletServer(model: model, index: wrongWidth)
        }
    }

    /// The first bytes of a PNG file (signature and IHDR chunk) announcing `width` × `height` grey pixels,
    /// followed by a few bytes of nothing: what a decompression bomb's header looks like.
    static func pngHeader(width: Int, height: Int) -> [UInt8] {
        func be32(_ v: Int) -> [UInt8] { [24, 16, 8, 0].map { UInt8((v >> $0) & 0xFF) } }
        let ihdr: [UInt8] = Array("IHDR".utf8) + be32(width) + be32(height) + [8, 0, 0, 0, 0]
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + be32(13) + ihdr + be32(Int(crc32(ihdr)))
            + [UInt8](repeating: 0, count: 60)
    }

    /// CRC-32 (PNG's), so the header is well-formed.
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}
