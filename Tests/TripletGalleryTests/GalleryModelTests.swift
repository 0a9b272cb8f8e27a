import Foundation
import Testing
import TripletCore
import TripletKit

@testable import TripletGallery

@Suite("Gallery with a trained model")
struct GalleryModelTests {
    /// A model folder whose network flattens [1, 2, 2] inputs and scales them to unit length; `tag` goes
    /// into the weights file's metadata, so two tags are two models with two fingerprints.
    static func model(tag: String) throws -> TrainedModel {
        let folder = try temporaryFolder()
        try SafeTensors.write([], metadata: ["tag": tag], to: folder.appendingPathComponent("model.safetensors"))
        let config = String(decoding: try JSONEncoder().encode(TrainingConfig()), as: UTF8.self)
        try Data(
            """
            {"format": "tripletkit-checkpoint", "version": 1, "architecture": [{"flatten": {}}, {"l2Normalize": {}}],
             "input_shape": [1, 2, 2], "config": \(config), "epoch": 1, "optimizer_steps": 1,
             "state_file": "checkpoint/epoch-1.safetensors", "sampler_seed": 0, "history": []}
            """.utf8
        ).write(to: folder.appendingPathComponent("model.json"))
        return try TrainedModel(directory: folder, threads: 1)
    }

    /// Samples [n, 1, 2, 2] from rows of four values.
    static func images(_ rows: [[Float]]) throws -> Tensor {
        try Tensor(shape: [rows.count, 1, 2, 2], scalars: rows.flatMap { $0 })
    }

    @Test("enroll, identify, verify and calibrate embed raw samples with the gallery's model")
    func embedsWithTheModel() throws {
        let model = try Self.model(tag: "a")
        #expect(model.embeddingDimension == 4)
        let gallery = try Gallery(path: try temporaryFolder().appendingPathComponent("g.sqlite"), model: model)
        #expect(gallery.fingerprint == model.fingerprint && gallery.dimension == 4)
        try gallery.enroll(name: "ada", samples: try Self.images([[2, 0, 0, 0], [3, 0.3, 0, 0]]), model: model)
        try gallery.enroll(name: "bob", samples: try Self.images([[0, 0, 5, 0]]), model: model)
        // Stored as the model's unit-length embeddings.
        #expect(try gallery.embeddings(of: "ada").row(0) == [1, 0, 0, 0])
        let answers = try gallery.identify(samples: try Self.images([[9, 0.1, 0, 0], [0, 0, 1, 0.2]]), model: model)
        #expect(answers.map { $0.matches[0].identity.name } == ["ada", "bob"])
        let result = try gallery.calibrate(
            samples: try Self.images([[1, 0.05, 0, 0], [0, 0, 0, 1], [0, 1, 0, 0]]), identities: ["ada", nil, nil],
            model: model, targetFAR: 0)
        #expect(result.falseAcceptRate == 0 && result.trueAcceptRate == 1)
        #expect(try gallery.verify(sample: try Self.images([[4, 0.1, 0, 0]]), identity: "ada", model: model).accepted)
        #expect(try !gallery.verify(sample: try Self.images([[0, 0, 0, 1]]), identity: "ada", model: model).accepted)
    }

    @Test("another model, a wrong sample shape or two samples to verify are clear errors")
    func badInput() throws {
        let model = try Self.model(tag: "a"), other = try Self.model(tag: "b")
        let gallery = try Gallery(path: try temporaryFolder().appendingPathComponent("g.sqlite"), model: model)
        let one = try Self.images([[1, 0, 0, 0]])
        #expect(throws: TripletError.fingerprintMismatch(stored: model.fingerprint, given: other.fingerprint)) {
            try gallery.enroll(name: "ada", samples: one, model: other)
        }
        #expect(throws: TripletError.self) {
            try gallery.enroll(name: "ada", samples: try Tensor(shape: [1, 4], scalars: [1, 0, 0, 0]), model: model)
        }
        try gallery.enroll(name: "ada", samples: one, model: model)
        #expect(throws: TripletError.self) {
            try gallery.verify(sample: try Self.images([[1, 0, 0, 0], [0, 1, 0, 0]]), identity: "ada", model: model)
        }
        #expect(throws: TripletError.fingerprintMismatch(stored: model.fingerprint, given: other.fingerprint)) {
            _ = try Gallery(path: gallery.path, model: other)
        }
    }
}
