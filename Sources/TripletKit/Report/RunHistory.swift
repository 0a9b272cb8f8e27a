import Foundation
import TripletCore

/// The per-epoch metrics of a run folder: `metrics.json`, or the history in `model.json` when there is no
/// `metrics.json`.
enum RunHistory {
    /// The history of `directory`; throws `TripletError.corruptFile` naming the file that is missing or
    /// malformed.
    static func load(from directory: URL) throws -> [EpochMetrics] {
        let metrics = directory.appendingPathComponent("metrics.json")
        guard FileManager.default.fileExists(atPath: metrics.path) else {
            return try Checkpoint.readSidecar(directory.appendingPathComponent("model.json")).history
        }
        let data: Data
        do {
            data = try Data(contentsOf: metrics)
        } catch {
            throw TripletError.corruptFile(path: metrics.path, reason: "cannot be read (\(error.localizedDescription))")
        }
        do {
            return try JSONFiles.decoder.decode([EpochMetrics].self, from: data)
        } catch {
            throw TripletError.corruptFile(
                path: metrics.path,
                reason: "not a JSON list of epoch metrics as `triplet train` writes it (\(Self.describe(error)))")
        }
    }

    /// A one-line reason for a decoding error.
    static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let context): return "invalid JSON: \(context.debugDescription)"
        case DecodingError.keyNotFound(let key, let context):
            return "missing \"\(key.stringValue)\" at \(path(context))"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "\(context.debugDescription) at \(path(context))"
        default: return "\(error)"
        }
    }

    private static func path(_ context: DecodingError.Context) -> String {
        let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        return keys.isEmpty ? "the top level" : keys
    }
}
