import Foundation
import Hummingbird
import Logging
import NIOCore
import TripletCore

extension TripletServer {
    /// The router: every route, behind `ServeMiddleware`, each checking its access level first.
    func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: ServeMiddleware(metrics: metrics))
        router.get("/") { _, _ in Self.page(WebPage.html, type: "text/html; charset=utf-8") }
        router.get("/app.js") { _, _ in Self.page(WebPage.script, type: "text/javascript; charset=utf-8") }
        router.get("/health") { [self] _, _ in try json(health()) }
        router.get("/metrics") { [self] request, _ in
            try authorize(.read, request)
            let text = try metricsText()
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }
        let v1 = router.group("v1")
        v1.post("embed") { [self] request, _ in try await answer(request, .read, embed) }
        v1.post("search") { [self] request, _ in try await answer(request, .read, search) }
        v1.post("identify") { [self] request, _ in try await answer(request, .read, identify) }
        v1.post("verify") { [self] request, _ in try await answer(request, .read, verify) }
        v1.post("calibrate") { [self] request, _ in try await answer(request, .write, calibrate) }
        v1.get("identities") { [self] request, _ in
            try authorize(.read, request)
            return try json(identities())
        }
        v1.post("identities") { [self] request, _ in try await answer(request, .write, enroll, status: .created) }
        v1.delete("identities/:name") { [self] request, context in
            try authorize(.write, request)
            // The name is percent-encoded in the path (a space, a slash, any non-ASCII letter).
            let name = context.parameters.get("name").flatMap { $0.removingPercentEncoding } ?? ""
            return try json(await remove(name))
        }
        v1.get("references/:index/image") { [self] request, context in
            try authorize(.read, request)
            let png = try referenceImage(context.parameters.get("index") ?? "")
            return Response(
                status: .ok, headers: [.contentType: "image/png", .cacheControl: "max-age=3600"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: png)))
        }
        return router
    }

    /// Parses the request for `level` (see `parse`) and answers `handler`'s result as JSON.
    func answer<Answer: Encodable>(
        _ request: Request, _ level: AccessControl.Level,
        _ handler: (ServeRequest, Payload) async throws -> Answer, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let (fields, payload) = try await parse(request, level)
        return try json(try await handler(fields, payload), status: status)
    }

    /// Throws 401/403 unless the request's bearer token grants `level`.
    func authorize(_ level: AccessControl.Level, _ request: Request) throws {
        try configuration.access.check(level, authorization: request.headers[.authorization])
    }

    /// Checks access, then reads the body (413 over the limit): JSON for `application/json`, else one image
    /// file whose parameters (k, identity, name) come from the query string.
    func parse(_ request: Request, _ level: AccessControl.Level) async throws -> (ServeRequest, Payload) {
        try authorize(level, request)
        let limit = configuration.limits.maximumBodyBytes
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw ServeError.tooLarge("the body is \(length) bytes, over the limit of \(limit)")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw ServeError.tooLarge("the body is over the limit of \(limit) bytes")
        }
        let type = request.headers[.contentType]?.lowercased() ?? "application/octet-stream"
        if type.hasPrefix("application/json") {
            let fields: ServeRequest
            do {
                fields = try ServeRequest.decoder.decode(ServeRequest.self, from: Data(buffer.readableBytesView))
            } catch {
                throw ServeError.badRequest("the body is not the JSON this route takes: \(error)", code: "bad_json")
            }
            return (fields, try fields.payload())
        }
        guard type.hasPrefix("image/") || type.hasPrefix("application/octet-stream") else {
            throw ServeError(
                status: 415, code: "unsupported_media_type",
                message: "Content-Type \(type): send application/json, or an image file (image/*)")
        }
        let query = request.uri.queryParameters
        var fields = ServeRequest()
        if let k = query.get("k") {
            guard let value = Int(k) else {
                throw ServeError.badRequest("k = \(k): expected a number", code: "k_out_of_range")
            }
            fields.k = value
        }
        fields.identity = query.get("identity")
        fields.name = query.get("name")
        return (fields, .images([Array(buffer.readableBytesView)]))
    }

    /// The encoder of answers, shared: ISO 8601 dates, keys as the types' `CodingKeys` name them.
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return encoder
    }()

    /// An answer as JSON (snake_case keys, ISO 8601 dates).
    func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try Self.encoder.encode(value)
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// The web page's files, with a policy that allows only this server's own scripts and images.
    static func page(_ text: String, type: String) -> Response {
        Response(
            status: .ok,
            headers: [
                .contentType: type,
                .contentSecurityPolicy:
                    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; script-src 'self'",
            ],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// The Hummingbird application on the configured host and port; `onRunning` gets the bound port.
    public func application(
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        var logger = Logger(label: "triplet-serve")
        logger.logLevel = .warning
        return Application(
            router: router(),
            server: .http1(configuration: .init(idleTimeout: .seconds(Int64(configuration.idleTimeout)))),
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
    }

    /// Serves until SIGTERM or SIGINT; then stops accepting, lets in-flight requests finish and returns.
    public func run(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        try await application(onRunning: onRunning).runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }
}
