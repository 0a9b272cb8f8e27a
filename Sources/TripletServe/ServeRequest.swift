import Foundation

/// A JSON request body. The samples come as exactly one of `image` / `images` (base64 image files, a
/// `data:` URL prefix allowed), `samples` (raw inputs, each flattened to the model's input size) or
/// `embedding` / `embeddings` (vectors of the model's embedding width); the other fields belong to the
/// routes that read them. Keys are snake_case.
struct ServeRequest: Decodable {
    var image: String?
    var images: [String]?
    var samples: [[Float]]?
    var embedding: [Float]?
    var embeddings: [[Float]]?
    /// search, identify: how many neighbours or identities.
    var k: Int?
    /// verify: the claimed identity.
    var identity: String?
    /// enroll: the new identity's name and metadata.
    var name: String?
    var metadata: [String: String]?
    /// calibrate: each probe's enrolled identity, or null for a stranger; the false accept rate to reach.
    var identities: [String?]?
    var targetFar: Double?

    enum CodingKeys: String, CodingKey {
        case image, images, samples, embedding, embeddings, k, identity, name, metadata, identities
        case targetFar = "target_far"
    }

    /// The decoder of request bodies, shared (no key strategy: `CodingKeys` name the snake_case keys).
    static let decoder = JSONDecoder()

    /// The one kind of samples given; throws 400 for none or several, or for base64 that does not decode.
    func payload() throws -> Payload {
        let given = [image != nil, images != nil, samples != nil, embedding != nil, embeddings != nil]
        guard given.filter({ $0 }).count == 1 else {
            throw ServeError.badRequest(
                "give exactly one of image, images (base64 files), samples (raw inputs), embedding or embeddings",
                code: "missing_samples")
        }
        if let image { return .images([try Self.decodeBase64(image, index: 0)]) }
        if let images { return .images(try images.enumerated().map { try Self.decodeBase64($1, index: $0) }) }
        if let samples { return .samples(samples) }
        if let embedding { return .embeddings([embedding]) }
        return .embeddings(embeddings ?? [])
    }

    /// The bytes of a base64 image file, with or without a `data:…;base64,` prefix.
    static func decodeBase64(_ text: String, index: Int) throws -> [UInt8] {
        var body = Substring(text)
        if body.hasPrefix("data:"), let comma = body.firstIndex(of: ",") { body = body[body.index(after: comma)...] }
        guard let data = Data(base64Encoded: String(body), options: .ignoreUnknownCharacters), !data.isEmpty else {
            throw ServeError.badRequest("images[\(index)] is not a base64 image file", code: "bad_image")
        }
        return [UInt8](data)
    }
}

/// The samples of a request, in one of the three forms the API takes.
enum Payload {
    /// Image files, decoded at the model's input size and channels.
    case images([[UInt8]])
    /// Raw inputs, flattened; standardised and embedded by the model.
    case samples([[Float]])
    /// Embeddings, used as they are.
    case embeddings([[Float]])

    /// How many samples.
    var count: Int {
        switch self {
        case .images(let files): return files.count
        case .samples(let rows), .embeddings(let rows): return rows.count
        }
    }
}
