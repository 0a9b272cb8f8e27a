import Foundation
import TripletKit
import TripletText

/// One parser under fuzzing: its name (the `FUZZ_TARGET` value and the folder of its seeds under
/// Fuzz/corpus/) and what it does with one input. Throwing is the expected answer to a bad input; a
/// trap, a crash, a leak or a hang is a finding.
struct FuzzTarget: Sendable {
    /// The name that selects it.
    let name: String
    /// Parses one input (and uses what comes out, so that every element is read).
    let run: @Sendable ([UInt8]) throws -> Void

    /// Every target, by name.
    static let all: [FuzzTarget] = [
        FuzzTarget(name: "idx") { try touch(IDX.decode($0, source: "fuzz")) },
        FuzzTarget(name: "idx-gzip") { try touch(IDX.decode(Gzip.decompress($0, source: "fuzz"), source: "fuzz")) },
        FuzzTarget(name: "npy") { bytes in
            switch try NPY.decode(bytes, source: "fuzz") {
            case .float(let tensor): _ = tensor.scalars.reduce(0, +)
            case .integer(_, let values): _ = values.reduce(0, &+)
            }
        },
        FuzzTarget(name: "csv") { bytes in
            _ = try CSVFeatures.parse(bytes, source: "fuzz").dataset.inputs.scalars.reduce(0, +)
        },
        FuzzTarget(name: "safetensors") { bytes in
            _ = try SafeTensors.decode(Data(bytes), path: "fuzz").tensors.map { $0.1.scalars.reduce(0, +) }
        },
        FuzzTarget(name: "index") { bytes in
            _ = try EmbeddingIndex(decoding: bytes, path: "fuzz").embeddings.scalars.reduce(0, +)
        },
        FuzzTarget(name: "model-json", run: ModelFolder.load),
        FuzzTarget(name: "image") { bytes in
            _ = try ImageDecoder.decode(bytes, source: "fuzz").pixels.reduce(0, +)
        },
        FuzzTarget(name: "image-resize") { bytes in
            _ = try ImageDecoder.decode(bytes, source: "fuzz", channels: .rgb, size: ImageSize(width: 7, height: 5))
                .pixels.reduce(0, +)
        },
        FuzzTarget(name: "vocabulary") { bytes in
            let vocabulary = try Vocabulary(data: Data(bytes), path: "fuzz")
            _ = try BertTokenizer(vocabulary: vocabulary, maxLength: 32).encode("Déjà vu: naïve café, 東京 3.14 ##x")
        },
        FuzzTarget(name: "bert-config", run: TextFolder.load),
        FuzzTarget(name: "wordnet", run: TextFolder.wordnet),
        FuzzTarget(name: "triplet-list") { bytes in
            let files = ["a/1.png", "a/2.png", "b/1.png", "b/3.png", "c/4.png"]
            _ = try TripletList.parse(bytes, source: "fuzz", sampleCount: 5, files: files, labels: [0, 0, 1, 1, 2])
        },
    ]

    /// The target `name` names, or nil.
    static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }

    private static func touch(_ array: IDXArray) {
        _ = array.floats().reduce(0, +)
        _ = try? array.integers()
    }
}

/// The `model-json` target: the input as the model.json of a folder whose model.safetensors is empty, loaded
/// as `triplet embed` loads a model (sidecar, then the network its architecture describes, then the weights).
enum ModelFolder {
    static let folder: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tripletkit-fuzz-\(getpid())")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        try? SafeTensors.write([], to: url.appendingPathComponent("model.safetensors"))
        return url
    }()

    @Sendable static func load(_ bytes: [UInt8]) throws {
        try Data(bytes).write(to: folder.appendingPathComponent("model.json"))
        _ = try TrainedModel(directory: folder, threads: 1)
    }
}

/// The text targets' folders: `bert-config` loads the input as the config.json of a BERT folder whose
/// weights file is small (the encoder must refuse sizes the file cannot hold before allocating them);
/// `wordnet` reads the input as WordNet's files, in memory: the bytes before the first NUL as every data file,
/// those after it as every index file (UTF-8 checking and file reading are other targets' business).
enum TextFolder {
    static let folder: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tripletkit-fuzz-text-\(getpid())")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        try? SafeTensors.write([], to: url.appendingPathComponent("model.safetensors"))
        return url
    }()

    @Sendable static func load(_ bytes: [UInt8]) throws {
        try Data(bytes).write(to: folder.appendingPathComponent("config.json"))
        _ = try BertEncoder(folder: folder)
    }

    @Sendable static func wordnet(_ bytes: [UInt8]) throws {
        let split = bytes.firstIndex(of: 0) ?? bytes.count
        guard let data = String(validating: bytes[..<split], as: UTF8.self),
            let index = String(validating: bytes[min(split + 1, bytes.count)...], as: UTF8.self)
        else { return }
        let wordnet = try WordNet(source: "fuzz") { $0.hasPrefix("data.") ? data : index }
        _ = try? SenseRetrieval(wordnet: wordnet, heldOutShare: 0.5)
    }
}
