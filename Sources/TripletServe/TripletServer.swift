import Foundation
import TripletCore
import TripletEvaluation
import TripletGallery
import TripletKit

/// `triplet serve`: a trained model, an optional index of references and an optional gallery behind a JSON
/// API (`/v1/…`), `/health`, `/metrics` and a web page at `/`. Build it once, then `run()` it.
///
/// ```swift
/// let server = try TripletServer(
///     model: URL(fileURLWithPath: "runs/convnet"), index: try EmbeddingIndex(contentsOf: indexURL),
///     gallery: URL(fileURLWithPath: "people.sqlite"),
///     configuration: ServeConfiguration(port: 8080, access: try AccessControl(writeToken: token)))
/// try await server.run()  // until SIGTERM or SIGINT: in-flight requests finish first
/// ```
public final class TripletServer: Sendable {
    /// The served model's fingerprint, input shape, embedding width and metric.
    let fingerprint: String
    let inputShape: [Int]
    let dimension: Int
    let metric: KNNMetric
    let imageInputs: Bool
    let pool: EmbeddingPool
    let index: EmbeddingIndex?
    let classNames: [String]
    let references: ReferenceImages?
    let gallery: Gallery?
    let configuration: ServeConfiguration
    let metrics = ServeMetrics()

    /// Loads `configuration.workers` copies of the model at `model` (one thread each), checks that `index`
    /// holds its embeddings and `references` its rows, and opens (or creates) the gallery file. `classNames`
    /// name the index's labels. Throws a clear error for a bad model, index, gallery or configuration.
    public init(
        model: URL, index: EmbeddingIndex? = nil, classNames: [String] = [], references: ReferenceImages? = nil,
        gallery: URL? = nil, configuration: ServeConfiguration = ServeConfiguration()
    ) throws {
        try configuration.limits.validate()
        guard (1...256).contains(configuration.workers) else {
            throw TripletError.invalidParameter(name: "workers", value: "\(configuration.workers)", expected: "1...256")
        }
        guard configuration.idleTimeout >= 1 else {
            throw TripletError.invalidParameter(
                name: "idleTimeout", value: "\(configuration.idleTimeout)", expected: ">= 1 second")
        }
        guard (0...65_535).contains(configuration.port) else {
            throw TripletError.invalidParameter(name: "port", value: "\(configuration.port)", expected: "0...65535")
        }
        let models = try (0..<configuration.workers).map { _ in try TrainedModel(directory: model, threads: 1) }
        let first = models[0]
        if let index, index.embeddings.rowWidth != first.embeddingDimension {
            throw TripletError.dimensionMismatch(expected: first.embeddingDimension, got: index.embeddings.rowWidth)
        }
        if let references {
            guard let index else {
                throw TripletError.invalidParameter(
                    name: "references", value: "\(references.count) images", expected: "an index they belong to")
            }
            guard references.count == index.labels.count else {
                throw TripletError.invalidParameter(
                    name: "references", value: "\(references.count) images",
                    expected: "one per index row (\(index.labels.count)): the split the index was built from")
            }
        }
        fingerprint = first.fingerprint
        inputShape = first.inputShape
        dimension = first.embeddingDimension
        metric = first.metric
        imageInputs = (try? first.imageInput()) != nil
        pool = EmbeddingPool(models: models, maximumQueued: configuration.limits.maximumQueued)
        self.index = index
        self.classNames = classNames
        self.references = references
        self.gallery = try gallery.map { try Gallery(path: $0, model: first) }
        self.configuration = configuration
    }

    /// The embeddings [n, dimension] of a request's samples: images checked (header, pixel count) then
    /// decoded and embedded on the worker pool, raw samples embedded there, embeddings checked and kept.
    func embeddings(of payload: Payload) async throws -> Tensor {
        let limits = configuration.limits
        guard payload.count >= 1 else {
            throw ServeError.badRequest("no samples: give at least one", code: "empty_batch")
        }
        guard payload.count <= limits.maximumBatch else {
            throw ServeError(
                status: 413, code: "batch_too_large",
                message: "\(payload.count) samples in one request, over the limit of \(limits.maximumBatch): split it")
        }
        switch payload {
        case .embeddings(let rows):
            return try checkedRows(rows, width: dimension, what: "embedding")
        case .samples(let rows):
            let inputs = try checkedRows(rows, width: inputShape.reduce(1, *), what: "sample")
            let shaped = try Tensor(shape: [rows.count] + inputShape, scalars: inputs.scalars)
            return try await pool.run { model in try model.embed(shaped) }
        case .images(let files):
            guard imageInputs else {
                throw ServeError.badRequest(
                    "this model's inputs are \(inputShape), not images: send samples or embeddings", code: "not_images")
            }
            let sources = files.indices.map { "upload image \($0)" }
            for (bytes, source) in zip(files, sources) {
                let info = try ImageDecoder.info(bytes, source: source)
                let pixels = info.width * info.height
                guard pixels <= limits.maximumPixels else {
                    throw ServeError.tooLarge(
                        "\(source) is \(info.width)×\(info.height) = \(pixels) pixels, over the limit of "
                            + "\(limits.maximumPixels): send a smaller image")
                }
            }
            return try await pool.run { model in try model.embed(try model.decodeImages(files, sources: sources)) }
        }
    }

    /// Rows of one width and finite values as a tensor; 400 otherwise.
    private func checkedRows(_ rows: [[Float]], width: Int, what: String) throws -> Tensor {
        var scalars: [Float] = []
        scalars.reserveCapacity(rows.count * width)
        for (i, row) in rows.enumerated() {
            guard row.count == width else {
                throw ServeError.badRequest(
                    "\(what) \(i) has \(row.count) values, this model's \(what)s have \(width)", code: "wrong_width")
            }
            if let bad = row.firstIndex(where: { !$0.isFinite }) {
                throw ServeError.badRequest("\(what) \(i) value \(bad) is not a finite number", code: "not_finite")
            }
            scalars += row
        }
        return try Tensor(shape: [rows.count, width], scalars: scalars)
    }

    /// Throws 400 unless `k` is within 1...maximumK.
    func checkedK(_ k: Int) throws -> Int {
        guard (1...configuration.limits.maximumK).contains(k) else {
            throw ServeError.badRequest(
                "k = \(k): expected 1...\(configuration.limits.maximumK)", code: "k_out_of_range")
        }
        return k
    }

    /// The gallery, or 404 when the server has none.
    func requireGallery() throws -> Gallery {
        guard let gallery else { throw ServeError.notFound("this server has no gallery: start it with --gallery FILE") }
        return gallery
    }
}
