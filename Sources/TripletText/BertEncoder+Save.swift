import Foundation
import TripletCore
import TripletNetworks

extension BertEncoder {
    /// Writes the encoder as a Hugging Face / sentence-transformers folder: `model.safetensors` with Hugging
    /// Face's parameter names (atomically), and every other file of `source` — config.json, vocab.txt, the
    /// tokenizer and sentence-transformers files (modules.json, 1_Pooling/, …) — copied, so that
    /// `SentenceTransformer(folder)` loads the fine-tuned model. Throws when `folder` is `source` itself (it
    /// would overwrite the weights it was loaded from) or a file cannot be written.
    public func save(to folder: URL, copyingFrom source: URL) throws {
        let fm = FileManager.default
        guard folder.standardizedFileURL != source.standardizedFileURL else {
            throw TripletError.invalidParameter(
                name: "out", value: folder.path, expected: "another folder than the model being fine-tuned")
        }
        try fm.createDirectory(at: folder, withIntermediateDirectories: true)
        for name in try fm.contentsOfDirectory(atPath: source.path) where name != "model.safetensors" {
            let target = folder.appendingPathComponent(name)
            if fm.fileExists(atPath: target.path) { try fm.removeItem(at: target) }
            try fm.copyItem(at: source.appendingPathComponent(name), to: target)
        }
        try SafeTensors.write(
            namedParameters.map { ($0.name, $0.parameter.value) }, metadata: ["format": "pt"],
            to: folder.appendingPathComponent("model.safetensors"))
    }
}
