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

    /// A model.json whose layers need far more parameters than model.safetensors can hold (here 400 million
    /// for an empty weights file) is refused before they are allocated, naming the file.
    @Test func architecturesLargerThanTheirWeightsFileAreRefusedBeforeAllocating() throws {
        let folder = try TripletProcess.temporaryFolder("sidecar-budget")
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fuzz/corpus/model-json/mlp.json")
        let text = try String(contentsOf: source, encoding: .utf8)
            .replacingOccurrences(of: "\"outputs\" : 256", with: "\"outputs\" : 100000000")
        try Data(text.utf8).write(to: folder.appendingPathComponent("model.json"))
        try SafeTensors.write([], to: folder.appendingPathComponent("model.safetensors"))
        do {
            _ = try TrainedModel(directory: folder, threads: 1)
            Issue.record("an architecture of 400 million parameters loaded from an empty weights file")
        } catch let error as TripletError {
            #expect("\(error)".contains("model.safetensors"), "\(error)")
            #expect("\(error)".contains("can hold"), "\(error)")
        }
    }
}
