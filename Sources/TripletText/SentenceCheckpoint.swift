import Foundation
import TripletCore
import TripletNetworks

/// Where a sentence fine-tuning run stands: the steps taken and the settings that fix its batches and rates,
/// with the encoder's weights and the optimizer's state beside it (`OUT/checkpoint/`). A run resumed from it
/// replays the remaining steps to the same weights as a run never interrupted.
public struct SentenceCheckpoint: Codable, Equatable, Sendable {
    /// Steps taken (over all epochs).
    public var step: Int
    /// The settings the run must be resumed with (examples, epochs, batch size, rate, warm-up, seed, loss).
    public var settings: [String: String]
    /// The states of the encoder's dropout generators, so that the resumed steps draw the same masks.
    public var dropoutStates: [[UInt64]]

    /// A checkpoint after `step` steps of a run with `settings`, whose encoder's dropout is at `dropoutState`.
    public init(step: Int, settings: [String: String], dropoutState: [SeededGenerator]) {
        self.step = step
        self.settings = settings
        dropoutStates = dropoutState.map { [$0.state.0, $0.state.1, $0.state.2, $0.state.3] }
    }

    /// Writes the state file, then the progress file (each atomically): the progress names a complete state.
    public func save(_ training: SentencePairTraining, to folder: URL) throws {
        let directory = folder.appendingPathComponent("checkpoint")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let state =
            training.encoder.namedParameters.map { ("model.\($0.name)", $0.parameter.value) }
            + training.optimizer.stateDict().map { ("optimizer.\($0.0)", $0.1) }
        try SafeTensors.write(state, to: directory.appendingPathComponent("state-\(step).safetensors"))
        try JSONFiles.write(self, to: directory.appendingPathComponent("progress.json"))
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        where name.hasPrefix("state-") && name != "state-\(step).safetensors" {
            try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))
        }
    }

    /// The checkpoint in `folder`, or nil when there is none; restores its weights and optimizer state into
    /// `training`. Throws when it was written with other settings or its files are damaged.
    public static func resume(_ training: SentencePairTraining, from folder: URL, settings: [String: String]) throws
        -> SentenceCheckpoint?
    {
        let directory = folder.appendingPathComponent("checkpoint")
        let progress = directory.appendingPathComponent("progress.json")
        guard FileManager.default.fileExists(atPath: progress.path) else { return nil }
        let saved: SentenceCheckpoint
        do {
            saved = try JSONFiles.decoder.decode(SentenceCheckpoint.self, from: try Data(contentsOf: progress))
        } catch {
            throw TripletError.corruptFile(path: progress.path, reason: "not a sentence-training checkpoint: \(error)")
        }
        guard saved.settings == settings else {
            let differing = settings.keys.filter { saved.settings[$0] != settings[$0] }.sorted()
            throw TripletError.invalidParameter(
                name: "resume", value: "a checkpoint with other \(differing.joined(separator: ", "))",
                expected: "the settings of the run being resumed")
        }
        let file = directory.appendingPathComponent("state-\(saved.step).safetensors")
        let tensors = try SafeTensors.read(from: file).tensors
        let state = Dictionary(tensors, uniquingKeysWith: { first, _ in first })
        for (name, parameter) in training.encoder.namedParameters {
            guard let value = state["model.\(name)"], value.shape == parameter.value.shape else {
                throw TripletError.corruptFile(path: file.path, reason: "its model.\(name) is missing or misshapen")
            }
            parameter.value = value
        }
        let generators = training.encoder.dropoutState
        guard saved.dropoutStates.count == generators.count, saved.dropoutStates.allSatisfy({ $0.count == 4 }) else {
            throw TripletError.corruptFile(path: progress.path, reason: "its dropout_states do not fit the encoder")
        }
        training.encoder.dropoutState = saved.dropoutStates.map { SeededGenerator(state: ($0[0], $0[1], $0[2], $0[3])) }
        try training.optimizer.load(
            stateDict: tensors.filter { $0.0.hasPrefix("optimizer.") }.map { (String($0.0.dropFirst(10)), $0.1) })
        return saved
    }
}
