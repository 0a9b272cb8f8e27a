import Foundation
import TripletCore
import TripletNetworks

/// `--architecture FILE`: a JSON list of layer specs, the format of model.json's `architecture`
/// (`[{"flatten": {}}, {"dense": {"inputs": 784, "outputs": 64, "bias": true}}, {"l2Normalize": {}}]`).
enum ArchitectureFile {
    /// The specs in `path`; a clear error for a missing file or one that is not such a list.
    static func read(_ path: String) throws -> [LayerSpec] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TripletError.corruptFile(path: path, reason: "cannot be read (an architecture JSON file)")
        }
        do {
            let specs = try JSONFiles.decoder.decode([LayerSpec].self, from: data)
            guard !specs.isEmpty else {
                throw TripletError.corruptFile(path: path, reason: "the architecture has no layers")
            }
            return specs
        } catch let error as TripletError {
            throw error
        } catch {
            throw TripletError.corruptFile(
                path: path,
                reason: "not a list of layers like [{\"flatten\": {}}, {\"dense\": {\"inputs\": 784, \"outputs\": 64, "
                    + "\"bias\": true}}]: \(error)")
        }
    }
}
