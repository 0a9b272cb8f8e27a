import Foundation
import TripletCore

/// Who may do what: writes (enroll, remove, calibrate) need the write token, and are refused when none is
/// configured; reads need the read token when one is configured, else are open. Tokens are compared in
/// constant time and never printed: `description` hides them.
public struct AccessControl: Sendable, CustomStringConvertible, CustomReflectable {
    /// What a route needs.
    public enum Level: Sendable {
        /// Nothing (the page, /health).
        case open
        /// The read token, when one is configured.
        case read
        /// The write token.
        case write
    }

    private let writeToken: [UInt8]?
    private let readToken: [UInt8]?

    /// Access with these tokens (nil: writes refused / reads open). Throws for an empty token.
    public init(writeToken: String?, readToken: String? = nil) throws {
        for (name, token) in [("write token", writeToken), ("read token", readToken)] where token?.isEmpty == true {
            throw TripletError.invalidParameter(name: name, value: "\"\"", expected: "a non-empty token")
        }
        self.writeToken = writeToken.map { Array($0.utf8) }
        self.readToken = readToken.map { Array($0.utf8) }
    }

    /// Open reads, refused writes: no tokens.
    public static let writesRefused = AccessControl(writeBytes: nil, readBytes: nil)

    private init(writeBytes: [UInt8]?, readBytes: [UInt8]?) {
        writeToken = writeBytes
        readToken = readBytes
    }

    /// The token in a file: its first line without surrounding white space. Throws `corruptFile` for a
    /// missing, unreadable or empty file.
    public static func token(contentsOf url: URL) throws -> String {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw TripletError.corruptFile(
                path: url.path, reason: "cannot read the token: \(error.localizedDescription)")
        }
        let token =
            text.split(whereSeparator: \.isNewline).first.map {
                $0.trimmingCharacters(in: .whitespaces)
            } ?? ""
        guard !token.isEmpty else { throw TripletError.corruptFile(path: url.path, reason: "the token file is empty") }
        return token
    }

    /// Whether writes can ever be allowed (a write token is configured).
    public var writesEnabled: Bool { writeToken != nil }
    /// Whether reads need a token.
    public var readsNeedToken: Bool { readToken != nil }

    /// No children, so `dump` cannot show the tokens either.
    public var customMirror: Mirror { Mirror(self, children: [:]) }

    /// What is configured, never the tokens themselves.
    public var description: String {
        "AccessControl(writes: \(writesEnabled ? "token" : "refused"), reads: \(readsNeedToken ? "token" : "open"))"
    }

    /// Throws 401 (no bearer token), 403 (a wrong one, or writes disabled) unless `authorization` (the
    /// request's Authorization header) grants `level`. The write token also grants reads.
    func check(_ level: Level, authorization: String?) throws {
        let given = Self.bearer(authorization)
        switch level {
        case .open:
            return
        case .read:
            guard let readToken else { return }
            guard let given else { throw Self.unauthorized("this server needs a read token for reads") }
            if Self.equal(given, readToken) || writeToken.map({ Self.equal(given, $0) }) == true { return }
            throw ServeError(status: 403, code: "forbidden", message: "the bearer token is not valid")
        case .write:
            guard let writeToken else {
                throw ServeError(
                    status: 403, code: "writes_disabled",
                    message: "writes are disabled: start the server with --token-file (or TRIPLET_SERVE_TOKEN)")
            }
            guard let given else { throw Self.unauthorized("writes need the write token") }
            guard Self.equal(given, writeToken) else {
                throw ServeError(status: 403, code: "forbidden", message: "the bearer token is not the write token")
            }
        }
    }

    static func unauthorized(_ why: String) -> ServeError {
        ServeError(status: 401, code: "unauthorized", message: why + ": send the header Authorization: Bearer TOKEN")
    }

    /// The token of an `Authorization: Bearer TOKEN` header.
    static func bearer(_ header: String?) -> [UInt8]? {
        guard let header else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return Array(parts[1].trimmingCharacters(in: .whitespaces).utf8)
    }

    /// Constant-time equality: the time depends only on the lengths, never on where the bytes differ.
    static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt64(a.count ^ b.count)
        for i in 0..<max(a.count, b.count) {
            let x = i < a.count ? a[i] : 0, y = i < b.count ? b[i] : 0
            difference |= UInt64(x ^ y)
        }
        return difference == 0
    }
}
