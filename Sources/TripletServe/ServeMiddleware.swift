import Foundation
import HTTPTypes
import Hummingbird

/// Around every request: answers any error as JSON (`ServeError`'s body; a route that does not exist is a
/// 404 `not_found`) and records the request's route, status and latency for /metrics. Logs nothing of the
/// request, so tokens never reach a log.
struct ServeMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let metrics: ServeMetrics
    /// `X-Content-Type-Options`, on every answer: browsers take each body as its declared type.
    static let noSniff = HTTPField.Name("X-Content-Type-Options")!

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let start = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = Self.response(for: Self.serveError(error, request))
        }
        response.headers[Self.noSniff] = "nosniff"
        let elapsed = start.duration(to: .now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        // Hummingbird names a request no route matched "NotFound".
        let route = context.endpointPath.flatMap { $0 == "NotFound" ? nil : $0 } ?? "unmatched"
        metrics.record(
            route: route, method: request.method.rawValue,
            status: Int(response.status.code), seconds: seconds)
        return response
    }

    /// A thrown error as the API's error: Hummingbird's own (no such route, a body over its limit) keep
    /// their status.
    static func serveError(_ error: any Error, _ request: Request) -> ServeError {
        if let error = error as? any HTTPResponseError {
            let status = Int(error.status.code)
            switch status {
            case 404:
                return .notFound("no route \(request.method.rawValue) \(request.uri.path): see GET / for the API")
            case 405:
                return ServeError(
                    status: 405, code: "method_not_allowed",
                    message: "\(request.method.rawValue) is not allowed on \(request.uri.path)")
            case 413:
                return .tooLarge("the request body is over the server's limit")
            default:
                return ServeError(
                    status: status, code: "http_\(status)", message: error.status.reasonPhrase)
            }
        }
        return ServeError.from(error)
    }

    /// The JSON response for an error.
    static func response(for error: ServeError) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if error.status == 401 { headers[.wwwAuthenticate] = "Bearer" }
        if error.status == 503 { headers[.retryAfter] = "1" }
        return Response(
            status: HTTPResponse.Status(code: error.status), headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: error.body)))
    }
}
