import Foundation

// Keys are snake_case: multi-word properties name theirs in CodingKeys, so the shared encoder needs no key
// strategy (a strategy converts every key of every answer).

/// `POST /v1/embed`: one embedding per sample.
struct EmbedResponse: Encodable {
    let dimension: Int
    let embeddings: [[Float]]
}

/// One reference of the index near a query.
struct Neighbor: Encodable {
    /// Its row in the index.
    let index: Int
    let label: Int
    /// The label's class name, when the data source names classes.
    let className: String?
    let distance: Float
    /// Where its image is served (`/v1/references/{index}/image`), when the server has the reference images.
    let image: String?

    enum CodingKeys: String, CodingKey {
        case index, label, distance, image
        case className = "class_name"
    }
}

/// `POST /v1/search`: the nearest references of each query, nearest first.
struct SearchResponse: Encodable {
    struct Result: Encodable { let neighbors: [Neighbor] }
    let results: [Result]
}

/// One candidate identity.
struct IdentityMatch: Encodable {
    let name: String
    let distance: Float
    let metadata: [String: String]
}

/// `POST /v1/identify`: per query, the accepted identity (null: unknown) and the nearest candidates.
struct IdentifyResponse: Encodable {
    struct Result: Encodable {
        let identity: String?
        let unknown: Bool
        let matches: [IdentityMatch]
    }
    let results: [Result]
}

/// `POST /v1/verify`.
struct VerifyResponse: Encodable {
    let identity: String
    let accepted: Bool
    let distance: Float
    let threshold: Double
}

/// The gallery's threshold and the rates it reached.
struct CalibrationSummary: Encodable {
    let threshold: Double
    let falseAcceptRate: Double
    let trueAcceptRate: Double
    let basis: String

    enum CodingKeys: String, CodingKey {
        case threshold, basis
        case falseAcceptRate = "false_accept_rate", trueAcceptRate = "true_accept_rate"
    }
}

/// `GET /v1/identities`.
struct IdentityList: Encodable {
    struct Identity: Encodable {
        let name: String
        let samples: Int
        let created: Date
        let metadata: [String: String]
    }
    let identities: [Identity]
    let calibration: CalibrationSummary?
}

/// `POST /v1/identities` (201).
struct Enrolled: Encodable {
    let name: String
    let id: Int64
    let samples: Int
}

/// `DELETE /v1/identities/{name}`.
struct Removed: Encodable {
    let removed: String
}

/// `GET /health`.
struct Health: Encodable {
    let status: String
    let model: String
    let inputShape: [Int]
    let embeddingDimension: Int
    let metric: String
    let indexReferences: Int?
    let referenceImages: Bool
    let identities: Int?
    let workers: Int
    let writesEnabled: Bool
    let readsNeedToken: Bool
    let limits: Limits

    struct Limits: Encodable {
        let maximumBodyBytes: Int
        let maximumPixels: Int
        let maximumBatch: Int
        let maximumK: Int

        enum CodingKeys: String, CodingKey {
            case maximumBodyBytes = "maximum_body_bytes", maximumPixels = "maximum_pixels"
            case maximumBatch = "maximum_batch", maximumK = "maximum_k"
        }
    }

    enum CodingKeys: String, CodingKey {
        case status, model, metric, identities, workers, limits
        case inputShape = "input_shape", embeddingDimension = "embedding_dimension"
        case indexReferences = "index_references", referenceImages = "reference_images"
        case writesEnabled = "writes_enabled", readsNeedToken = "reads_need_token"
    }
}
