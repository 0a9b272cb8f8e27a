import ArgumentParser
import Foundation
import TripletKit
import TripletText

/// `triplet text …`: sentence embeddings with a BERT encoder.
struct TextCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "text", abstract: "Sentence embeddings with a BERT encoder (Hugging Face folders).",
        subcommands: [TextEmbed.self])
}

/// `triplet text embed`: one embedding per line of a text file.
struct TextEmbed: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract:
            "Embed each line of a UTF-8 text file with a BERT folder (config.json, vocab.txt, model.safetensors).",
        discussion: """
            Tokenizes as Hugging Face's BERT tokenizer (uncased WordPiece), batches lines of similar length \
            and pads each batch to its longest line, mean-pools the token states under the mask and L2-normalises (sentence-transformers' \
            all-MiniLM-L6-v2 pipeline). Writes a float32 NPY [lines, width].

            Example:
              triplet text embed --model all-MiniLM-L6-v2 \\
                --text sentences.txt --out embeddings.npy
            """)

    @Option(help: "A Hugging Face BERT folder: config.json, vocab.txt, model.safetensors.") var model: String
    @Option(help: "A UTF-8 text file, one sentence per line.") var text: String
    @Option(help: "Where to write the embeddings (NPY).") var out: String
    @Option(help: "Lines per batch.") var batchSize = 32
    @Option(help: "At most this many tokens per line, [CLS] and [SEP] included.") var maxLength = 256
    @Flag(help: "Keep the mean-pooled embeddings unnormalised.") var noNormalize = false
    @Option(help: "Threads.") var threads = 2

    func run() throws {
        guard batchSize >= 1 else { throw ValidationError("--batch-size \(batchSize): expected at least 1") }
        let lines = try Self.lines(of: text)
        let folder = URL(fileURLWithPath: model)
        let encoder = try BertEncoder(folder: folder, threads: threads)
        let tokenizer = try BertTokenizer(
            vocabulary: try Vocabulary(contentsOf: folder.appendingPathComponent("vocab.txt")),
            maxLength: min(maxLength, encoder.configuration.maxPositionEmbeddings))
        let start = Date()
        // Batches of similar lengths (as sentence-transformers sorts them), so that little is padding.
        let encoded = lines.map(tokenizer.encode)
        let order = encoded.indices.sorted { encoded[$0].count > encoded[$1].count }
        let width = encoder.configuration.hiddenSize
        var rows = [Float](repeating: 0, count: lines.count * width)
        for first in stride(from: 0, to: order.count, by: batchSize) {
            let members = Array(order[first..<min(first + batchSize, order.count)])
            let embedded = try encoder.embed(tokenizer.pad(members.map { encoded[$0] }), normalize: !noNormalize)
            for (position, line) in members.enumerated() {
                rows.replaceSubrange(
                    (line * width)..<((line + 1) * width),
                    with: embedded.scalars[(position * width)..<((position + 1) * width)])
            }
        }
        let seconds = Date().timeIntervalSince(start)
        try NPY.write(try Tensor(shape: [lines.count, width], scalars: rows), to: URL(fileURLWithPath: out))
        print(
            String(
                format: "embedded %d lines in %.2f s (%.0f sentences/s); wrote %@", lines.count, seconds,
                Double(lines.count) / seconds, out))
    }

    /// The lines of a UTF-8 file (a final newline ends the last line); a clear error for a missing, empty or
    /// non-UTF-8 file.
    static func lines(of path: String) throws -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("--text \(path): cannot be read")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ValidationError("--text \(path): not UTF-8 text")
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        guard !lines.isEmpty else { throw ValidationError("--text \(path): no lines to embed") }
        return lines
    }
}
