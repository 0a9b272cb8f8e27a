import Foundation
import Logging
import ServiceLifecycle
import TripletGallery
import TripletKit

@testable import TripletServe

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A fresh temporary folder for one test.
func temporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("serve-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// The side of the test model's grey input images.
let side = 8

/// A model folder whose network flattens [1, 8, 8] images and scales them to unit length (no weights to
/// train: its embedding of an image is the image's direction).
func makeModel() throws -> URL {
    let folder = try temporaryFolder()
    try SafeTensors.write([], metadata: ["tag": "serve-test"], to: folder.appendingPathComponent("model.safetensors"))
    let config = String(decoding: try JSONEncoder().encode(TrainingConfig()), as: UTF8.self)
    try Data(
        """
        {"format": "tripletkit-checkpoint", "version": 1, "architecture": [{"flatten": {}}, {"l2Normalize": {}}],
         "input_shape": [1, \(side), \(side)], "config": \(config), "epoch": 1, "optimizer_steps": 1,
         "state_file": "checkpoint/epoch-1.safetensors", "sampler_seed": 0, "history": []}
        """.utf8
    ).write(to: folder.appendingPathComponent("model.json"))
    return folder
}

/// A grey 8×8 image of class `c` (0...3): its quadrant `c` bright, `shade` elsewhere, as 0...1 intensities.
func pattern(_ c: Int, shade: Float = 0.1) -> [Float] {
    (0..<side * side).map { p in
        let (y, x) = (p / side, p % side)
        return (y < side / 2 ? 0 : 2) + (x < side / 2 ? 0 : 1) == c ? 1 : shade
    }
}

/// The PNG file of an 8×8 pattern.
func png(_ c: Int, shade: Float = 0.1) throws -> [UInt8] {
    try ImageEncoder.png(
        width: side, height: side, channels: 1, pixels: pattern(c, shade: shade).map { UInt8($0 * 255) })
}

/// A server under test on a loopback port: its URL, and `stop()` for a graceful shutdown.
struct RunningServer {
    let server: TripletServer
    let base: URL
    let group: ServiceGroup
    let task: Task<Void, any Error>

    /// Starts `server` on its configuration's port (0: any free one) and waits until it listens.
    static func start(_ server: TripletServer) async throws -> RunningServer {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = server.application { port in continuation.yield(port) }
        var logger = Logger(label: "serve-test")
        logger.logLevel = .warning
        let group = ServiceGroup(services: [app], logger: logger)
        let task = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw ServeError.notFound("the server did not start") }
        return RunningServer(
            server: server, base: URL(string: "http://127.0.0.1:\(port)")!, group: group, task: task)
    }

    /// Stops accepting, lets requests in flight finish, and waits for the server to return.
    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }

    /// One request: method, path (with query), body and headers; returns the status, body and headers.
    func call(
        _ method: String, _ path: String, body: Data? = nil, type: String? = nil, token: String? = nil
    ) async throws -> (status: Int, body: Data, headers: [String: String]) {
        var request = URLRequest(url: URL(string: base.absoluteString + path)!)
        request.httpMethod = method
        request.httpBody = body
        if let type { request.setValue(type, forHTTPHeaderField: "Content-Type") }
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as! HTTPURLResponse
        var headers: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            if let name = name as? String, let value = value as? String { headers[name.lowercased()] = value }
        }
        return (http.statusCode, data, headers)
    }

    /// A JSON request; returns the status and the decoded JSON object.
    func json(
        _ method: String, _ path: String, _ object: [String: Any]? = nil, token: String? = nil
    ) async throws -> (status: Int, json: [String: Any]) {
        let body = try object.map { try JSONSerialization.data(withJSONObject: $0) }
        let (status, data, _) = try await call(method, path, body: body, type: "application/json", token: token)
        return (status, try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:])
    }
}

/// The error code of an API error body.
func errorCode(_ json: [String: Any]) -> String? {
    (json["error"] as? [String: Any])?["code"] as? String
}

/// A server with the test model, an index of 4 × 3 reference patterns (labels 0...3, named), their images,
/// and an empty gallery; `limits` and `access` as given.
func makeServer(
    limits: ServeLimits = ServeLimits(), access: AccessControl = .writesRefused, gallery: URL? = nil
) throws -> TripletServer {
    let model = try makeModel()
    let trained = try TrainedModel(directory: model, threads: 1)
    let labels = (0..<12).map { $0 % 4 }
    let images = try Tensor(
        shape: [12, 1, side, side],
        scalars: labels.enumerated().flatMap { i, c in pattern(c, shade: 0.05 * Float(i / 4)) })
    let index = try EmbeddingIndex(embeddings: try trained.embed(images), labels: labels)
    return try TripletServer(
        model: model, index: index, classNames: ["top-left", "top-right", "bottom-left", "bottom-right"],
        references: try ReferenceImages(images: images),
        gallery: gallery ?? temporaryFolder().appendingPathComponent("g.sqlite"),
        configuration: ServeConfiguration(port: 0, workers: 2, limits: limits, access: access))
}
