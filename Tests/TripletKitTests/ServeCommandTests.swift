import Foundation
import Testing
import TripletKit

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `triplet serve` as a user starts it: flags, a token from the environment and one from a file, an index with
/// its image folder, then SIGTERM.
@Suite("triplet serve command")
struct ServeCommandTests {
    @Test("serves an index built from an image folder with its class names and images; SIGTERM stops it (status 0)")
    func serveAndStop() async throws {
        let root = try TripletProcess.temporaryFolder("serve-command")
        defer { try? FileManager.default.removeItem(at: root) }
        let model = try Self.writeModel(in: root.appendingPathComponent("model"))
        // Three classes of two 12×12 grey images: a bright third of the image, left, middle or right.
        let photos = root.appendingPathComponent("photos")
        for (c, name) in ["left", "middle", "right"].enumerated() {
            let folder = photos.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for i in 0..<2 {
                try Data(try Self.png(c, shade: UInt8(10 * i))).write(to: folder.appendingPathComponent("\(i).png"))
            }
        }
        let trained = try TrainedModel(directory: model, threads: 1)
        let loaded = try DataSource.imageFolder(path: photos.path, size: nil, channels: .grey, skipBadFiles: false)
            .load()
        let index = root.appendingPathComponent("photos.tkindex")
        try EmbeddingIndex(embeddings: try trained.embed(loaded.dataset.inputs), labels: loaded.dataset.labels)
            .write(to: index)
        let readToken = root.appendingPathComponent("read-token")
        try Data("reader-7f3a\n".utf8).write(to: readToken)

        let process = Process()
        process.executableURL = ResumeTests.executable
        process.arguments = [
            "serve", "--model", model.path, "--index", index.path, "--data", photos.path,
            "--gallery", root.appendingPathComponent("g.sqlite").path, "--read-token-file", readToken.path,
            "--port", "0", "--workers", "1",
        ]
        process.environment = ProcessInfo.processInfo.environment.merging(["TRIPLET_SERVE_TOKEN": "writer-91c2"]) {
            $1
        }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        // The first line names the URL (port 0: the one the system chose).
        var printed = Data()
        while !String(decoding: printed, as: UTF8.self).contains("\n") {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { break }
            printed += chunk
        }
        let line = String(decoding: printed, as: UTF8.self)
        let base = try #require(line.split(separator: " ").first { $0.hasPrefix("http://") }.map(String.init))
        #expect(line.contains("writes need the token") && line.contains("reads need a token"))

        func call(_ method: String, _ path: String, _ body: Data? = nil, token: String?) async throws -> (
            Int, [String: Any]
        ) {
            var request = URLRequest(url: URL(string: base + path.dropFirst())!)
            request.httpMethod = method
            request.httpBody = body
            if body != nil { request.setValue("image/png", forHTTPHeaderField: "Content-Type") }
            if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
            let (data, response) = try await URLSession.shared.data(for: request)
            return (
                (response as! HTTPURLResponse).statusCode,
                (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
            )
        }
        let health = try await call("GET", "/health", token: nil)
        #expect(
            health.0 == 200 && health.1["index_references"] as? Int == 6
                && health.1["reference_images"] as? Bool == true)
        #expect(try await call("POST", "/v1/search", Data(try Self.png(2)), token: nil).0 == 401)
        let search = try await call("POST", "/v1/search?k=2", Data(try Self.png(2)), token: "reader-7f3a")
        let neighbors = ((search.1["results"] as? [[String: Any]])?.first?["neighbors"] as? [[String: Any]]) ?? []
        #expect(neighbors.map { $0["class_name"] as? String } == ["right", "right"])
        let image = try #require(neighbors.first?["image"] as? String)
        #expect(try await call("GET", image, token: "reader-7f3a").0 == 200)
        #expect(try await call("POST", "/v1/identities?name=r", Data(try Self.png(2)), token: "reader-7f3a").0 == 403)
        #expect(try await call("POST", "/v1/identities?name=r", Data(try Self.png(2)), token: "writer-91c2").0 == 201)

        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        let rest = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0)
        #expect(rest.contains("triplet serve: stopped"))
        #expect(!(line + rest).contains("writer-91c2") && !(line + rest).contains("reader-7f3a"))
    }

    /// A model folder that flattens [1, 12, 12] images and scales them to unit length.
    static func writeModel(in folder: URL) throws -> URL {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try SafeTensors.write([], metadata: [:], to: folder.appendingPathComponent("model.safetensors"))
        let config = String(decoding: try JSONEncoder().encode(TrainingConfig()), as: UTF8.self)
        try Data(
            """
            {"format": "tripletkit-checkpoint", "version": 1, "architecture": [{"flatten": {}}, {"l2Normalize": {}}],
             "input_shape": [1, 12, 12], "config": \(config), "epoch": 1, "optimizer_steps": 1,
             "state_file": "checkpoint/epoch-1.safetensors", "sampler_seed": 0, "history": []}
            """.utf8
        ).write(to: folder.appendingPathComponent("model.json"))
        return folder
    }

    /// A 12×12 grey PNG whose third `c` (left, middle, right) is bright.
    static func png(_ c: Int, shade: UInt8 = 0) throws -> [UInt8] {
        let pixels = (0..<144).map { p in (p % 12) / 4 == c ? 250 : shade }
        return try ImageEncoder.png(width: 12, height: 12, channels: 1, pixels: pixels)
    }
}
