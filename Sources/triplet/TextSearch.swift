import ArgumentParser
import Foundation
import TripletKit
import TripletText

/// `triplet text search`: the lines of a text file closest to a query.
struct TextSearch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Rank the lines of a UTF-8 text file by cosine similarity to a query sentence.",
        discussion: """
            Embeds the query and every line with the BERT folder (or reads the lines' embeddings from \
            --embeddings, as written by `triplet text embed` for the same file) and prints the --k best lines \
            with their cosine similarity, best first.

            Example:
              triplet text search --model all-MiniLM-L6-v2 --text glosses.txt \\
                --query "a place to keep money" --k 5
            """)

    @Option(help: "A Hugging Face BERT folder: config.json, vocab.txt, model.safetensors.") var model: String
    @Option(help: "A UTF-8 text file, one sentence per line.") var text: String
    @Option(help: "The query sentence.") var query: String
    @Option(help: "Lines to print.") var k = 10
    @Option(help: "The lines' embeddings (NPY from triplet text embed), instead of embedding them again.")
    var embeddings: String?
    @Option(help: "At most this many tokens per line, [CLS] and [SEP] included.") var maxLength = 256
    @Option(help: "Threads.") var threads = 2

    func run() throws {
        guard k >= 1 else { throw ValidationError("--k \(k): expected at least 1") }
        let lines = try TextEmbed.lines(of: text, flag: "--text")
        let folder = URL(fileURLWithPath: model)
        let encoder = try BertEncoder(folder: folder, threads: threads)
        let tokenizer = try BertTokenizer(folder: folder, for: encoder, maxLength: maxLength)
        let q = try encoder.embed(sentences: [query], tokenizer: tokenizer)
        let rows: Tensor
        if let embeddings {
            let stored = try NPY.readTensor(contentsOf: URL(fileURLWithPath: embeddings))
            guard stored.shape == [lines.count, q.rowWidth]
            else {
                throw ValidationError(
                    "--embeddings \(embeddings): expected float [\(lines.count), \(q.rowWidth)] (one row per line of --text)"
                )
            }
            rows = stored
        } else {
            rows = try encoder.embed(sentences: lines, tokenizer: tokenizer)
        }
        let width = q.rowWidth
        let scores = (0..<lines.count).map { i -> Double in
            var dot = 0.0, norm = 0.0
            for j in 0..<width {
                let v = Double(rows.scalars[i * width + j])
                dot += v * Double(q.scalars[j])
                norm += v * v
            }
            return dot / max(norm.squareRoot(), 1e-12)
        }
        for i in scores.indices.sorted(by: { (scores[$1], $0) < (scores[$0], $1) }).prefix(k) {
            print(String(format: "%.4f  %@", scores[i], lines[i]))
        }
    }
}
