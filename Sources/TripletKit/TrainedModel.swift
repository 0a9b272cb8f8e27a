import Foundation
import TripletCore
import TripletData
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
    /// The standardisation `embed` applies to raw inputs before the network (nil: none).
    public let normalization: ChannelNormalization?
    /// The shape of one input ([1, 28, 28] for Fashion-MNIST).
    public let inputShape: [Int]
    /// The width of the embeddings it makes.
    public let embeddingDimension: Int
    /// Its `ModelFingerprint`: what a gallery checks before comparing embeddings.
    public let fingerprint: String
    /// The metric its embeddings are meant to be compared with: `.dot` for an OASIS model, else Euclidean.
    public let metric: KNNMetric
    /// How a linear learner made it (`triplet fit-linear`), nil for a network trained by `Trainer`.
    public let linear: LinearFitSummary?

    /// Loads `directory`, building its layers with `registry` (register your own layer types there); throws
    /// a clear error for a missing or corrupt file, an unknown layer kind or `threads` below 1.
    public init(directory: URL, threads: Int = Parallel.defaultThreads, registry: LayerRegistry = .standard) throws {
        guard threads >= 1 else {
            throw TripletError.invalidParameter(name: "threads", value: "\(threads)", expected: "at least 1")
        }
        let (network, sidecar) = try Checkpoint.loadNetwork(from: directory, threads: threads, registry: registry)
        self.network = network
        config = sidecar.config
        options = sidecar.options ?? sidecar.config?.options ?? TrainingOptions()
        if let stored = sidecar.inputNormalization {
            normalization = stored
        } else if case .given(let statistics) = sidecar.config?.normalization {
            normalization = statistics  // a sidecar from before the normalisation was stored: Fashion-MNIST's
        } else {
            normalization = nil
        }
        inputShape = sidecar.inputShape
        metric = sidecar.metric ?? .euclidean
        linear = sidecar.linear
        fingerprint = try ModelFingerprint.of(directory: directory)
        embeddingDimension = try network.checkShapes(inputShape: sidecar.inputShape).reduce(1, *)
    }

    /// The embeddings of raw `inputs` ([N, …] with each sample of `inputShape`, as a `DataSource` loads
    /// them): standardised with `normalization`, then through the network in evaluation mode.
    public func embed(_ inputs: Tensor) throws -> Tensor {
        guard Array(inputs.shape.dropFirst()) == inputShape else {
            throw TripletError.shapeMismatch(expected: "[N] + \(inputShape)", got: inputs.shape)
        }
        return try network.embed(try normalization?.applied(to: inputs) ?? inputs)
    }

    /// Image files decoded as this model's inputs: resized to its input size, grey or RGB as its input
    /// channels, intensities in 0...1 (raw; `embed` standardises them). Throws for a model whose inputs are
    /// not images, and `TripletError.corruptFile` naming an unreadable file.
    public func readImages(_ urls: [URL]) throws -> Tensor {
        let (size, channels) = try imageInput()
        var scalars: [Float] = []
        scalars.reserveCapacity(urls.count * inputShape.reduce(1, *))
        for url in urls { scalars += try ImageDecoder.read(contentsOf: url, channels: channels, size: size).pixels }
        return try Tensor(shape: [urls.count] + inputShape, scalars: scalars)
    }

    /// `readImages` for image files already in memory (an upload): `files[i]` holds the bytes of one file,
    /// named `sources[i]` in errors.
    public func decodeImages(_ files: [[UInt8]], sources: [String]) throws -> Tensor {
        precondition(files.count == sources.count, "one source name per file")
        let (size, channels) = try imageInput()
        var scalars: [Float] = []
        scalars.reserveCapacity(files.count * inputShape.reduce(1, *))
        for (bytes, source) in zip(files, sources) {
            scalars += try ImageDecoder.decode(bytes, source: source, channels: channels, size: size).pixels
        }
        return try Tensor(shape: [files.count] + inputShape, scalars: scalars)
    }

    /// The size and channels images are decoded to for this model; throws for a model whose inputs are
    /// not images [1 or 3, H, W].
    public func imageInput() throws -> (size: ImageSize, channels: ImageChannels) {
        guard inputShape.count == 3, inputShape[0] == 1 || inputShape[0] == 3 else {
            throw TripletError.invalidParameter(
                name: "image inputs", value: "for a model of input shape \(inputShape)",
                expected: "a model trained on images [1 or 3, H, W]")
        }
        return (ImageSize(width: inputShape[2], height: inputShape[1]), inputShape[0] == 1 ? .grey : .rgb)
    }
}
