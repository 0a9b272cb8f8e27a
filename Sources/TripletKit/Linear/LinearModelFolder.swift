import Foundation
import TripletCore
import TripletNetworks

/// Writes a linear learner's model folder — `model.safetensors` and `model.json`, as `triplet train` does —
/// so that `TrainedModel` (hence `embed`, `evaluate`, `search` and the gallery) loads it: a `Sequential` of
/// one bias-free `Dense` layer holding the projection (after a `Flatten` for samples of more than one
/// dimension), the learner's summary under `linear`, and the metric to compare embeddings with.
enum LinearModelFolder {
    static func save(
        projection: Tensor, inputShape: [Int], metric: KNNMetric, summary: LinearFitSummary, to directory: URL
    ) throws {
        var generator = SeededGenerator(seed: 0)
        let dense = try Dense(
            inputs: projection.shape[1], outputs: projection.shape[0], bias: false, generator: &generator)
        dense.weight.value = projection
        let network = Sequential(layers: inputShape.count > 1 ? [Flatten(), dense] : [dense])
        let sidecar = Checkpoint.Sidecar(
            architecture: network.specs, inputShape: inputShape, config: nil, inputNormalization: nil, options: nil,
            epoch: 1, optimizerSteps: summary.comparisons, stateFile: "model.safetensors",
            samplerSeed: summary.seed ?? 0, dropoutStates: nil, history: [], linear: summary, metric: metric)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try SafeTensors.write(
            network.stateDict(), metadata: ["format": "pt"], to: directory.appendingPathComponent("model.safetensors"))
        try JSONFiles.write(sidecar, to: directory.appendingPathComponent("model.json"))
    }
}
