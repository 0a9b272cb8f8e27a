import ArgumentParser
import Foundation
import TripletKit
import TripletText

/// `triplet text …`: sentence embeddings with a BERT encoder.
struct TextCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "text", abstract: "Sentence embeddings with a BERT encoder (Hugging Face folders).",
        subcommands: [TextEmbed.self, TextTrain.self, TextDemo.self, TextSearch.self])
}

/// `triplet text embed`: one embedding per line of a text file.
struct TextEmbed: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract:
            "Embed each line of a UTF-8 text file with a BERT folder (config.json, vocab.txt, model.safetensors).",
        discussion: """
            Tokenizes as Hugging Face's BERT tokenizer (uncased WordPiece), runs each batch's tokens packed \
            (no padding), mean-pools each line's token states and L2-normalises (sentence-transformers' \
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
        let lines = try Self.lines(of: text, flag: "--text")
        let folder = URL(fileURLWithPath: model)
        let encoder = try BertEncoder(folder: folder, threads: threads)
        let tokenizer = try BertTokenizer(folder: folder, for: encoder, maxLength: maxLength)
        let start = Date()
        let embedded = try encoder.embed(
            sentences: lines, tokenizer: tokenizer, batchSize: batchSize, normalize: !noNormalize)
        let seconds = Date().timeIntervalSince(start)
        try NPY.write(embedded, to: URL(fileURLWithPath: out))
        print(
            String(
                format: "embedded %d lines in %.2f s (%.0f sentences/s); wrote %@", lines.count, seconds,
                Double(lines.count) / seconds, out))
    }

    /// The lines of a UTF-8 file (a final newline ends the last line); a clear error for a missing, empty or
    /// non-UTF-8 file.
    static func lines(of path: String, flag: String) throws -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("\(flag) \(path): cannot be read")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ValidationError("\(flag) \(path): not UTF-8 text")
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        guard !lines.isEmpty else { throw ValidationError("\(flag) \(path): no lines") }
        return lines
    }
}

/// `triplet text train`: fine-tunes a BERT folder on (anchor, positive[, negative]) examples with the
/// multiple-negatives ranking loss or the triplet loss.
struct TextTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Fine-tune a BERT folder on sentence pairs or triplets (MNRL or triplet loss) and save it.",
        discussion: """
            --triplets is a UTF-8 file of tab-separated anchor and positive sentences, one pair per line, or \
            anchor, positive and hard negative (three columns). Each step embeds a batch, scores every anchor \
            against every positive and negative of the batch (cosine × 20) and trains on the cross-entropy \
            towards its own positive; AdamW with linear warm-up and decay. Writes OUT in \
            the sentence-transformers layout (loads with SentenceTransformer(OUT)).

            Example:
              triplet text train --model all-MiniLM-L6-v2 --triplets pairs.tsv \\
                --epochs 1 --batch-size 32 --lr 2e-5 --out runs/minilm-tuned
            """)

    @Option(help: "A Hugging Face BERT folder: config.json, vocab.txt, model.safetensors.") var model: String
    @Option(help: "Tab-separated anchor, positive (and hard negative) sentences, one example per line.")
    var triplets: String
    @Option(help: "Loss: mnrl (in-batch and hard negatives, cosine × 20) or triplet (Euclidean, --margin).")
    var loss = "mnrl"
    @Option(help: "Margin of --loss triplet (sentence-transformers' default 5).") var margin: Float = 5
    @Option(help: "Where to write the fine-tuned model.") var out: String
    @Option(help: "Passes over the examples.") var epochs = 1
    @Option(help: "Pairs per batch.") var batchSize = 32
    @Option(name: .customLong("lr"), help: "Peak learning rate.") var learningRate: Float = 2e-5
    @Option(help: "Share of the steps spent warming up.") var warmup: Float = 0.1
    @Option(help: "At most this many tokens per sentence.") var maxLength = 128
    @Option(help: "Seed of the pair order.") var seed: UInt64 = 0
    @Option(help: "Threads.") var threads = 2
    @Option(help: "Write a checkpoint (OUT/checkpoint/) every N steps, and after the last.") var checkpointEvery = 100
    @Flag(help: "Continue from OUT/checkpoint/ (the same examples and settings) to the same final weights.")
    var resume = false

    func run() throws {
        guard checkpointEvery >= 1 else {
            throw ValidationError("--checkpoint-every \(checkpointEvery): expected at least 1")
        }
        guard epochs >= 1, batchSize >= 2 else {
            throw ValidationError("--epochs \(epochs), --batch-size \(batchSize): expected at least 1 and 2")
        }
        guard (0...1).contains(warmup) else { throw ValidationError("--warmup \(warmup): expected 0 to 1") }
        let objective: SentenceObjective
        switch loss {
        case "mnrl": objective = .multipleNegativesRanking
        case "triplet": objective = .triplet(margin: margin)
        default: throw ValidationError("--loss \(loss): expected mnrl or triplet")
        }
        let pairs = try Self.pairs(of: triplets)
        if case .triplet = objective, pairs[0].count != 3 {
            throw ValidationError("--loss triplet needs a negative: three columns in --triplets")
        }
        let folder = URL(fileURLWithPath: model)
        let encoder = try BertEncoder(folder: folder, threads: threads)
        let tokenizer = try BertTokenizer(folder: folder, for: encoder, maxLength: maxLength)
        let checkpoints = Checkpoints(
            folder: URL(fileURLWithPath: out), every: checkpointEvery, resume: resume,
            settings: [
                "examples": "\(pairs.count) (\(Self.fingerprint(pairs)))", "epochs": "\(epochs)",
                "batch_size": "\(batchSize)", "lr": "\(learningRate)", "warmup": "\(warmup)", "seed": "\(seed)",
                "loss": loss, "margin": "\(margin)", "max_length": "\(maxLength)",
            ])
        let (examples, seconds) = try Self.fineTune(
            encoder, tokenizer: tokenizer, examples: pairs, objective: objective, epochs: epochs, batchSize: batchSize,
            learningRate: learningRate, warmup: warmup, seed: seed, checkpoints: checkpoints)
        try encoder.save(to: URL(fileURLWithPath: out), copyingFrom: folder)
        print(
            String(
                format: "%d examples in %.1f s (%.1f examples/s); wrote %@", examples, seconds,
                Double(examples) / seconds, out))
    }

    /// Where and how often a fine-tuning run writes its checkpoints, and whether it resumes from one.
    struct Checkpoints {
        var folder: URL
        var every: Int
        var resume: Bool
        var settings: [String: String]
    }

    /// A short FNV-1a digest of the examples, so that a checkpoint is not resumed on another file.
    static func fingerprint(_ examples: [[String]]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in examples.map { $0.joined(separator: "\t") }.joined(separator: "\n").utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }

    /// Fine-tunes `encoder` on `examples` (all of two or all of three columns) for `epochs` passes of
    /// shuffled batches, with a progress bar and, given `checkpoints`, checkpoints and resumption; prints each
    /// epoch's mean loss and returns the examples trained on (in this process) and the seconds.
    static func fineTune(
        _ encoder: BertEncoder, tokenizer: BertTokenizer, examples: [[String]], objective: SentenceObjective,
        epochs: Int, batchSize: Int, learningRate: Float, warmup: Float, seed: UInt64, checkpoints: Checkpoints? = nil
    ) throws -> (examples: Int, seconds: Double) {
        let encoded = examples.map { $0.map(tokenizer.encode) }
        let hardNegatives = encoded[0].count == 3
        let stepsPerEpoch = encoded.count / batchSize
        guard stepsPerEpoch >= 1 else {
            throw ValidationError("\(encoded.count) examples, fewer than one batch of \(batchSize)")
        }
        let total = stepsPerEpoch * epochs
        let training = try SentencePairTraining(
            encoder: encoder, objective: objective, learningRate: learningRate, warmupSteps: Int(warmup * Float(total)),
            totalSteps: total)
        var done = 0
        if let checkpoints, checkpoints.resume,
            let saved = try SentenceCheckpoint.resume(
                training, from: checkpoints.folder, settings: checkpoints.settings)
        {
            done = saved.step
            print("resumed after step \(done) of \(total)")
        }
        let start = Date()
        var trained = 0
        for epoch in 1...epochs where epoch * stepsPerEpoch > done {
            // The order of an epoch depends on (seed, epoch) alone, so a resumed run replays it.
            var generator = SeededGenerator(seed: seed &+ UInt64(epoch))
            let order = encoded.indices.shuffled(using: &generator)
            let first = max(done - (epoch - 1) * stepsPerEpoch, 0)
            let bar = ProgressBar(title: "epoch \(epoch)/\(epochs)", total: stepsPerEpoch - first, unit: "ex")
            var lossSum: Float = 0
            for step in first..<stepsPerEpoch {
                let members = order[(step * batchSize)..<((step + 1) * batchSize)]
                lossSum += try training.step(
                    tokenizer.pad(members.flatMap { encoded[$0] }), hardNegatives: hardNegatives)
                trained += batchSize
                let global = (epoch - 1) * stepsPerEpoch + step + 1
                bar.update(
                    done: step + 1 - first, items: (step + 1 - first) * batchSize,
                    loss: Double(lossSum) / Double(step + 1 - first), activeFraction: 1)
                if let checkpoints, global % checkpoints.every == 0 || global == total {
                    try SentenceCheckpoint(
                        step: global, settings: checkpoints.settings, dropoutState: encoder.dropoutState
                    ).save(training, to: checkpoints.folder)
                }
            }
            print(String(format: "epoch %d  loss %.4f", epoch, lossSum / Float(stepsPerEpoch - first)))
        }
        return (trained, Date().timeIntervalSince(start))
    }

    /// The tab-separated examples of a UTF-8 file, all of two or all of three columns; a clear error naming
    /// the first line that differs.
    static func pairs(of path: String) throws -> [[String]] {
        let rows = try TextEmbed.lines(of: path, flag: "--triplets").map {
            $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        }
        let width = rows[0].count
        for (number, row) in rows.enumerated() where row.count != width || !(2...3).contains(row.count) {
            throw ValidationError(
                "--triplets \(path) line \(number + 1): \(row.count) column(s), expected anchor<TAB>positive"
                    + "[<TAB>negative] on every line (line 1 has \(width))")
        }
        return rows
    }
}
