import Foundation
import TripletCore
import TripletData
import TripletNetworks

/// A training run on disk, written atomically after every epoch:
///
/// - `model.safetensors`: the network's weights under PyTorch's `state_dict` names (loads with
///   `safetensors.torch.load_file`);
/// - `model.json`: the sidecar — architecture, configuration, epoch, metrics so far, and which state file
///   holds the optimizer; it is written last, so it is the commit point of a checkpoint;
/// - `checkpoint/epoch-N.safetensors`: weights, optimizer state and the loss's own parameters (a
///   classification head) of epoch N, for `--resume`;
/// - `metrics.json`: the per-epoch metrics.
///
/// A process killed at any moment leaves either the previous checkpoint or the new one.
struct Checkpoint {
    /// What `model.json` holds.
    struct Sidecar: Codable {
        var format = "tripletkit-checkpoint"
        var version = 1
        var architecture: [LayerSpec]
        var inputShape: [Int]
        /// How the run was made (nil for a trainer built from parts).
        var config: TrainingConfig?
        /// The standardisation of raw inputs the network expects (nil: none, or an earlier sidecar).
        var inputNormalization: ChannelNormalization?
        /// The trainer's options when there is no `config` (which holds them otherwise).
        var options: TrainingOptions?
        var epoch: Int
        var optimizerSteps: Int
        var stateFile: String
        /// The sampler draws epoch e from (seed, e) alone, so the seed and the next epoch are its RNG state.
        var samplerSeed: UInt64
        /// The generator state of every Dropout layer, in layer order (absent: no Dropout layer).
        var dropoutStates: [[UInt64]]?
        var history: [EpochMetrics]
        /// How a linear learner made the model (nil for a network trained by `Trainer`).
        var linear: LinearFitSummary? = nil
        /// The metric to compare its embeddings with (nil: Euclidean, as for every earlier model).
        var metric: KNNMetric? = nil
        // Keys: `JSONFiles` writes input_shape, optimizer_steps, … and reads those or camelCase.
    }

    var sidecar: Sidecar
    var weights: [(String, Tensor)]
    var optimizerState: [(String, Tensor)]
    /// The objective's own parameters (a classification head), kept in the state file only.
    var objectiveState: [(String, Tensor)]
    /// The objective's buffers (cross-batch memory), kept in the state file only.
    var buffers: [(String, Tensor)]

    var architecture: [LayerSpec] { sidecar.architecture }
    var history: [EpochMetrics] { sidecar.history }
    /// The trainer options the run was saved with.
    var options: TrainingOptions { sidecar.options ?? sidecar.config?.options ?? TrainingOptions() }

    init(trainer: Trainer, config: TrainingConfig?, inputShape: [Int], normalization: ChannelNormalization?) {
        let epoch = trainer.history.count
        sidecar = Sidecar(
            architecture: trainer.network.specs, inputShape: inputShape, config: config,
            inputNormalization: normalization, options: config == nil ? trainer.options : nil,
            epoch: epoch, optimizerSteps: trainer.optimizer.stepCount,
            stateFile: "checkpoint/epoch-\(epoch).safetensors", samplerSeed: trainer.options.seed,
            dropoutStates: trainer.network.allLayers.compactMap { ($0 as? Dropout)?.generator.state }.map {
                [$0.0, $0.1, $0.2, $0.3]
            },
            history: trainer.history)
        weights = trainer.network.stateDict()
        optimizerState = trainer.optimizer.stateDict()
        objectiveState = trainer.objective.parameters.map { ($0.name, $0.parameter.value) }
        buffers = trainer.objective.buffers.map { ($0.name, $0.value) }
    }

    private init(
        sidecar: Sidecar, weights: [(String, Tensor)], optimizerState: [(String, Tensor)],
        objectiveState: [(String, Tensor)], buffers: [(String, Tensor)]
    ) {
        self.sidecar = sidecar
        self.weights = weights
        self.optimizerState = optimizerState
        self.objectiveState = objectiveState
        self.buffers = buffers
    }

    /// Writes the checkpoint (each file atomically, the sidecar last) and removes older state files.
    func save(to directory: URL) throws {
        let fm = FileManager.default
        let stateFolder = directory.appendingPathComponent("checkpoint")
        try fm.createDirectory(at: stateFolder, withIntermediateDirectories: true)
        let state =
            weights.map { ("model.\($0.0)", $0.1) } + optimizerState.map { ("optimizer.\($0.0)", $0.1) }
            + objectiveState.map { ("objective.\($0.0)", $0.1) } + buffers.map { ("buffer.\($0.0)", $0.1) }
        try SafeTensors.write(
            state, metadata: ["epoch": "\(sidecar.epoch)"], to: directory.appendingPathComponent(sidecar.stateFile))
        try JSONFiles.write(sidecar.history, to: directory.appendingPathComponent("metrics.json"))
        try JSONFiles.write(sidecar, to: directory.appendingPathComponent("model.json"))
        try SafeTensors.write(
            weights, metadata: ["format": "pt"], to: directory.appendingPathComponent("model.safetensors"))
        for name in (try? fm.contentsOfDirectory(atPath: stateFolder.path)) ?? []
        where "checkpoint/\(name)" != sidecar.stateFile && name.hasPrefix("epoch-") {
            try? fm.removeItem(at: stateFolder.appendingPathComponent(name))
        }
    }

    /// The checkpoint in `directory`, or nil when there is none yet.
    static func load(from directory: URL) throws -> Checkpoint? {
        let sidecarURL = directory.appendingPathComponent("model.json")
        guard FileManager.default.fileExists(atPath: sidecarURL.path) else { return nil }
        let sidecar = try readSidecar(sidecarURL)
        let stateURL = directory.appendingPathComponent(sidecar.stateFile)
        let state = try SafeTensors.read(from: stateURL).tensors
        func part(_ prefix: String) -> [(String, Tensor)] {
            state.filter { $0.0.hasPrefix(prefix) }.map { (String($0.0.dropFirst(prefix.count)), $0.1) }
        }
        return Checkpoint(
            sidecar: sidecar, weights: part("model."), optimizerState: part("optimizer."),
            objectiveState: part("objective."), buffers: part("buffer."))
    }

    /// The sidecar of a saved model, with a clear error for a missing or malformed file.
    static func readSidecar(_ url: URL) throws -> Sidecar {
        let data: Data
        do {
            // Not Data(contentsOf:): Foundation's read of an empty file leaks its buffer (LeakSanitizer, the
            // model-json fuzz target).
            data = Data(try FileIO.readBytes(url))
        } catch {
            throw TripletError.corruptFile(
                path: url.path, reason: "cannot be read (is this a model folder written by `triplet train`?)")
        }
        do {
            let sidecar = try JSONFiles.decoder.decode(Sidecar.self, from: data)
            guard sidecar.format == "tripletkit-checkpoint", sidecar.version == 1 else {
                throw TripletError.corruptFile(
                    path: url.path,
                    reason:
                        "format \(sidecar.format) version \(sidecar.version), expected tripletkit-checkpoint version 1")
            }
            return sidecar
        } catch let error as TripletError {
            throw error
        } catch {
            throw TripletError.corruptFile(path: url.path, reason: "not a TripletKit model sidecar: \(error)")
        }
    }

    /// The trained network of a model folder (`model.json` + `model.safetensors`), ready to embed.
    static func loadNetwork(
        from directory: URL, threads: Int, registry: LayerRegistry
    ) throws -> (network: Sequential, sidecar: Sidecar) {
        let sidecar = try readSidecar(directory.appendingPathComponent("model.json"))
        let file = directory.appendingPathComponent("model.safetensors")
        // The weights file holds every parameter, a byte each at the least: an architecture that needs more
        // is refused before its tensors are allocated.
        guard let bytes = (try? FileManager.default.attributesOfItem(atPath: file.path))?[.size] as? Int else {
            throw TripletError.corruptFile(path: file.path, reason: "cannot be read (the model's weights)")
        }
        let budget = ParameterBudget(elements: bytes, source: "\(file.path) (\(bytes) bytes)")
        let network = try Initializers.$budget.withValue(budget) {
            try Sequential(sidecar.architecture, seed: 0, threads: threads, registry: registry)
        }
        let weights = try SafeTensors.read(from: file).tensors
        try network.load(stateDict: weights)
        return (network, sidecar)
    }
}
