import Foundation
import Testing
import TripletKit

@testable import TripletServe

@Suite("triplet serve: reads")
struct ServeReadTests {
    @Test("health, the page, embed in every input form, search with names and images, metrics, 404")
    func reads() async throws {
        let running = try await RunningServer.start(try makeServer())
        defer { Task { try await running.stop() } }

        let health = try await running.json("GET", "/health")
        #expect(health.status == 200)
        #expect(health.json["embedding_dimension"] as? Int == side * side)
        #expect(health.json["index_references"] as? Int == 12)
        #expect(health.json["writes_enabled"] as? Bool == false)

        let page = try await running.call("GET", "/")
        #expect(page.status == 200 && String(decoding: page.body, as: UTF8.self).contains("<script src=\"/app.js\""))
        #expect(page.headers["content-security-policy"]?.contains("script-src 'self'") == true)
        let script = try await running.call("GET", "/app.js")
        #expect(script.status == 200 && String(decoding: script.body, as: UTF8.self).contains("/v1/search"))

        // One image as the raw body; the same image as base64 JSON, as raw samples and as its embedding.
        let image = try png(1)
        let raw = try await running.call("POST", "/v1/embed", body: Data(image), type: "image/png")
        #expect(raw.status == 200)
        let rawJSON = try JSONSerialization.jsonObject(with: raw.body) as? [String: Any]
        let embedding = try #require((rawJSON?["embeddings"] as? [[Double]])?.first)
        let norm = embedding.reduce(0) { $0 + $1 * $1 }
        #expect(abs(norm - 1) < 1e-4)
        let fromBase64 = try await running.json(
            "POST", "/v1/embed", ["images": ["data:image/png;base64," + Data(image).base64EncodedString()]])
        let fromSamples = try await running.json("POST", "/v1/embed", ["samples": [pattern(1).map(Double.init)]])
        for answer in [fromBase64, fromSamples] {
            #expect(answer.status == 200)
            let row = try #require((answer.json["embeddings"] as? [[Double]])?.first)
            #expect(zip(row, embedding).allSatisfy { abs($0 - $1) < 0.01 })  // PNG levels round to 1/255
        }

        // Search: the nearest references of pattern 2 are the three of class 2, named, with images.
        let search = try await running.call("POST", "/v1/search?k=3", body: Data(try png(2)), type: "image/png")
        #expect(search.status == 200)
        let results = try #require(
            (try JSONSerialization.jsonObject(with: search.body) as? [String: Any])?["results"] as? [[String: Any]])
        let neighbors = try #require(results.first?["neighbors"] as? [[String: Any]])
        #expect(neighbors.count == 3)
        #expect(neighbors.allSatisfy { $0["label"] as? Int == 2 && $0["class_name"] as? String == "bottom-left" })
        let distances = neighbors.compactMap { $0["distance"] as? Double }
        #expect(distances == distances.sorted())
        let path = try #require(neighbors.first?["image"] as? String)
        let thumbnail = try await running.call("GET", path)
        #expect(thumbnail.status == 200)
        #expect(
            try ImageDecoder.info(Array(thumbnail.body), source: "thumbnail")
                == ImageInfo(width: 8, height: 8, channels: 1))
        let missing = try await running.json("GET", "/v1/references/12/image")
        #expect(missing.status == 404 && errorCode(missing.json) == "not_found")

        // A batch of embeddings searched at once, k from the JSON body.
        let batch = try await running.json("POST", "/v1/search", ["embeddings": [embedding, embedding], "k": 2])
        #expect((batch.json["results"] as? [Any])?.count == 2)
        // A k larger than the index gives every reference.
        let all = try await running.json("POST", "/v1/search", ["embedding": embedding, "k": 50])
        #expect(((all.json["results"] as? [[String: Any]])?.first?["neighbors"] as? [Any])?.count == 12)

        let unknownRoute = try await running.json("GET", "/v2/nothing")
        #expect(unknownRoute.status == 404 && errorCode(unknownRoute.json) == "not_found")

        let metrics = try await running.call("GET", "/metrics")
        let text = String(decoding: metrics.body, as: UTF8.self)
        #expect(metrics.status == 200)
        #expect(text.contains("triplet_http_requests_total{route=\"/v1/search\",method=\"POST\",status=\"200\"} 3"))
        #expect(text.contains("triplet_http_requests_total{route=\"unmatched\",method=\"GET\",status=\"404\"} 1"))
        #expect(text.contains("triplet_http_request_duration_seconds_count{route=\"/v1/embed\",method=\"POST\"} 3"))
        #expect(
            text.contains(
                "triplet_http_request_duration_seconds_bucket{route=\"/v1/embed\",method=\"POST\",le=\"+Inf\"} 3"))
        #expect(text.contains("triplet_index_references 12.0"))
    }
}
