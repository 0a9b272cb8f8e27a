import Foundation
import TripletCore

/// An error the API answers with: an HTTP status and a JSON body
/// `{"error": {"code": "…", "message": "…"}}` whose message says what was wrong and what to do.
public struct ServeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The HTTP status code (4xx for the client's mistakes, 5xx for the server's).
    public let status: Int
    /// A stable, machine-readable name (`payload_too_large`, `unauthorized`, …).
    public let code: String
    /// What was wrong and what to do, in words.
    public let message: String

    /// An error answered with `status`, `code` and `message`.
    public init(status: Int, code: String, message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    /// "status code: message".
    public var description: String { "\(status) \(code): \(message)" }

    static func badRequest(_ message: String, code: String = "bad_request") -> ServeError {
        ServeError(status: 400, code: code, message: message)
    }

    static func tooLarge(_ message: String) -> ServeError {
        ServeError(status: 413, code: "payload_too_large", message: message)
    }

    static func notFound(_ message: String) -> ServeError {
        ServeError(status: 404, code: "not_found", message: message)
    }

    /// The answer for an error thrown by the library: the caller's mistakes are 4xx, anything else 500.
    static func from(_ error: any Error) -> ServeError {
        if let error = error as? ServeError { return error }
        guard let error = error as? TripletError else {
            return ServeError(status: 500, code: "internal_error", message: "the server failed: \(error)")
        }
        switch error {
        case .unknownIdentity:
            return ServeError(status: 404, code: "unknown_identity", message: error.description)
        case .duplicateName:
            return ServeError(status: 409, code: "duplicate_name", message: error.description)
        case .notCalibrated:
            return ServeError(
                status: 409, code: "not_calibrated",
                message: error.description + " (POST /v1/calibrate with labelled probes first)")
        case .corruptFile(let path, let reason) where path.hasPrefix("upload"):
            return ServeError(status: 400, code: "bad_image", message: "\(path): \(reason)")
        case .corruptFile, .fingerprintMismatch, .settingsMismatch:
            return ServeError(status: 500, code: "internal_error", message: error.description)
        default:
            return .badRequest(error.description, code: "invalid_input")
        }
    }

    /// The JSON body.
    var body: Data {
        struct Body: Encodable {
            struct Detail: Encodable { let code: String, message: String }
            let error: Detail
        }
        return (try? JSONEncoder().encode(Body(error: .init(code: code, message: message)))) ?? Data("{}".utf8)
    }
}
