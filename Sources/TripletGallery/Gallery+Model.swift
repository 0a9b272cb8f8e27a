import Foundation
import TripletKit

extension Gallery {
    /// Opens (or creates) the gallery of a trained model: bound to its fingerprint and embedding width.
    /// The calls below that take `model` embed raw samples with it and refuse any other model. The metric
    /// defaults to the model's (`.dot` for an OASIS model, else Euclidean).
    ///
    /// ```swift
    /// let model = try TrainedModel(directory: URL(fileURLWithPath: "runs/model"))
    /// let gallery = try Gallery(path: URL(fileURLWithPath: "people.sqlite"), model: model)
    /// try gallery.enroll(name: "ada", samples: fiveImages, model: model)
    /// let answer = try gallery.identify(samples: oneImage, model: model)[0]
    /// ```
    public convenience init(
        path: URL, model: TrainedModel, metric: KNNMetric? = nil, templates: GalleryTemplates = .allSamples
    ) throws {
        try self.init(
            path: path, fingerprint: model.fingerprint, dimension: model.embeddingDimension,
            metric: metric ?? model.metric,
            templates: templates)
    }

    /// Embeds `samples` (`[n] + model.inputShape`) and enrolls them as a new identity, in one transaction.
    @discardableResult
    public func enroll(
        name: String, samples: Tensor, model: TrainedModel, metadata: [String: String] = [:]
    ) throws -> Int64 {
        try enroll(name: name, embeddings: try embed(samples, with: model), metadata: metadata)
    }

    /// Embeds `samples` and identifies each; see `identify(_:k:threads:)`.
    public func identify(
        samples: Tensor, model: TrainedModel, k: Int = 1, threads: Int = Parallel.defaultThreads
    ) throws -> [GalleryIdentification] {
        try identify(try embed(samples, with: model), k: k, threads: threads)
    }

    /// Embeds one sample (`[1] + model.inputShape`) and verifies it as `identity`; see `verify(_:identity:)`.
    public func verify(sample: Tensor, identity name: String, model: TrainedModel) throws -> GalleryVerification {
        guard sample.rowCount == 1 else {
            throw TripletError.shapeMismatch(expected: "[1] + \(model.inputShape) (one sample)", got: sample.shape)
        }
        return try verify(try embed(sample, with: model).scalars, identity: name)
    }

    /// Embeds labelled probes and calibrates open-set identification on them; see
    /// `calibrate(probes:identities:targetFAR:)`.
    @discardableResult
    public func calibrate(
        samples: Tensor, identities: [String?], model: TrainedModel, targetFAR: Double
    ) throws -> GalleryCalibration {
        try calibrate(probes: try embed(samples, with: model), identities: identities, targetFAR: targetFAR)
    }

    /// The embeddings of `samples` by `model`, which must be the gallery's.
    func embed(_ samples: Tensor, with model: TrainedModel) throws -> Tensor {
        guard model.fingerprint == fingerprint else {
            throw TripletError.fingerprintMismatch(stored: fingerprint, given: model.fingerprint)
        }
        return try model.embed(samples)
    }
}
