import Foundation
import Testing
import TripletKit

/// model.json read from damaged folders. The empty file is the model-json fuzz target's finding: Foundation's
/// `Data(contentsOf:)` leaked the buffer of an empty file (LeakSanitizer); the same input is in
/// Fuzz/corpus/model-json/empty.json, so every `make fuzz` replays it.
@Suite("model.json reading")
struct SidecarReadTests {
    @Test func emptyAndDeviceSidecarsAreClearErrors() throws {
        let folder = try TripletProcess.temporaryFolder("sidecar-read")
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data().write(to: folder.appendingPathComponent("model.json"))
        try SafeTensors.write([], to: folder.appendingPathComponent("model.safetensors"))
        do {
            _ = try TrainedModel(directory: folder, threads: 1)
            Issue.record("an empty model.json was accepted")
        } catch let error as TripletError {
            #expect("\(error)".contains("not a TripletKit model sidecar"), "\(error)")
        }
        let device = try TripletProcess.temporaryFolder("sidecar-device")
        defer { try? FileManager.default.removeItem(at: device) }
        try FileManager.default.createSymbolicLink(
            atPath: device.appendingPathComponent("model.json").path, withDestinationPath: "/dev/zero")
        #expect(throws: TripletError.self) { _ = try TrainedModel(directory: device, threads: 1) }
    }
}
