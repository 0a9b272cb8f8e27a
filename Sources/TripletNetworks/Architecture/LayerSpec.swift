import Foundation
import TripletCore

/// The architecture of one layer: its kind and its configuration, stored in a checkpoint's JSON sidecar as
/// a one-key object, `{"dense": {"inputs": 784, "outputs": 256, "bias": true}}`, and turned back into a
/// layer by a `LayerRegistry`. Containers hold their children's specs (`{"residual": {"body": [...]}}`).
///
/// Each layer file adds a static constructor (`.dense(inputs:outputs:bias:)`, `.relu`, …), so an
/// architecture reads as a list: `[.flatten, .dense(inputs: 784, outputs: 64, bias: true), .l2Normalize]`.
public struct LayerSpec: Codable, Equatable, Sendable, CustomStringConvertible {
    /// The registered name of the layer type ("dense", "conv2d", "residual", …).
    public let kind: String
    /// The layer's configuration (a JSON object).
    public let configuration: JSONValue

    /// A spec of `kind` with a configuration given as JSON.
    public init(kind: String, configuration: JSONValue = .object([:])) {
        self.kind = kind
        self.configuration = configuration
    }

    /// A spec of `kind` whose configuration is the JSON encoding of `configuration`.
    public init(kind: String, encoding configuration: some Encodable) {
        self.kind = kind
        // The configurations are plain structs of numbers, booleans and specs: their encoding cannot fail.
        self.configuration = (try? JSONValue(encoding: configuration)) ?? .object([:])
    }

    /// The configuration decoded as `type`; throws `TripletError.invalidParameter` naming the layer kind
    /// and what is missing or mistyped.
    public func configuration<T: Decodable>(as type: T.Type) throws -> T {
        do {
            return try configuration.decode(type)
        } catch let error as DecodingError {
            throw TripletError.invalidParameter(
                name: "\"\(kind)\" layer", value: configuration.description,
                expected: "its configuration: \(Self.explain(error))")
        }
    }

    /// Decodes the one-key object `{"kind": {configuration}}`.
    public init(from decoder: any Decoder) throws {
        let object = try decoder.singleValueContainer().decode([String: JSONValue].self)
        guard object.count == 1, let (kind, configuration) = object.first else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription:
                        "a layer is an object with one key, its kind, e.g. {\"relu\": {}}; got keys \(object.keys.sorted())"
                ))
        }
        self.init(kind: kind, configuration: configuration)
    }

    /// Encodes the one-key object `{"kind": {configuration}}`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode([kind: configuration])
    }

    /// `kind {configuration}`.
    public var description: String { "\(kind) \(configuration)" }

    private static func explain(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, _): return "the field \"\(key.stringValue)\" is missing"
        case .typeMismatch(let type, let context): return "\"\(path(context))\" should be a \(type)"
        case .valueNotFound(let type, let context): return "\"\(path(context))\" should be a \(type)"
        case .dataCorrupted(let context): return context.debugDescription
        @unknown default: return "\(error)"
        }
    }
}
