import Foundation
import TripletCore
import TripletNetworks

/// A model folder written by `Trainer` / `triplet train`, loaded for embedding: the network rebuilt from
/// `model.json` with the weights of `model.safetensors`.
public struct TrainedModel {
    /// The network, in evaluation mode when used through `embed`.
    public let network: Sequential
    /// How the model was trained (nil for a model trained by a `Trainer` built from parts).
    public let config: TrainingConfig?
    /// The trainer options it was trained with.
    public let options: TrainingOptions
    /// The shape of one input ([1, 28, 28] for Fashion-MNIST).
    public let inputShape: [Int]
    /// The width of the embeddings it makes.
    public let embeddingDimension: Int
    /// Its `ModelFingerprint`: what a gallery checks before comparing embeddings.
    public let fingerprint: String

    /// Loads `directory`, building its layers with `registry` (register your own layer types there); throws
    /// a clear error for a missing or corrupt file or an unknown layer kind.
    public init(directory: URL, threads: Int = Parallel.defaultThreads, registry: LayerRegistry = .standard) throws {
        let (network, sidecar) = try Checkpoint.loadNetwork(from: directory, threads: threads, registry: registry)
        self.network = network
        config = sidecar.config
        options = sidecar.options ?? sidecar.config?.options ?? TrainingOptions()
        inputShape = sidecar.inputShape
        fingerprint = try ModelFingerprint.of(directory: directory)
        embeddingDimension = try network.embed(try Tensor(repeating: 0, shape: [1] + sidecar.inputShape)).rowWidth
    }

    /// The embeddings of `inputs` ([N, …] with each sample of `inputShape`).
    public func embed(_ inputs: Tensor) throws -> Tensor {
        guard Array(inputs.shape.dropFirst()) == inputShape else {
            throw TripletError.shapeMismatch(expected: "[N] + \(inputShape)", got: inputs.shape)
        }
        return try network.embed(inputs)
    }
}
