import Foundation
import TripletCore
import TripletNetworks

extension BertEncoder {
    /// Writes the encoder as a Hugging Face / sentence-transformers folder: `model.safetensors` with Hugging
    /// Face's parameter names (atomically; tensors of `source` the encoder does not use, such as the pooler,
    /// kept), and every other file of `source` — config.json, vocab.txt, the
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
        // Tensors the encoder does not use (BERT's pooler) are kept as they were, so loaders find them.
        let own = namedParameters.map { ($0.name, $0.parameter.value) }
        let names = Set(own.map(\.0))
        let sourceWeights = source.appendingPathComponent("model.safetensors")
        let kept = try SafeTensors.read(from: sourceWeights).tensors.filter {
            !names.contains($0.0.hasPrefix("bert.") ? String($0.0.dropFirst(5)) : $0.0)
        }
        try SafeTensors.write(
            own + kept, metadata: ["format": "pt"], to: folder.appendingPathComponent("model.safetensors"))
    }
}
