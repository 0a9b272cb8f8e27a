import ArgumentParser
import Foundation
import TripletKit
import TripletText

/// `triplet text demo`: WordNet sense retrieval before and after fine-tuning.
struct TextDemo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "WordNet sense retrieval: sense accuracy@1 of a BERT folder before and after fine-tuning.",
        discussion: """
            Builds the task from WordNet (Debian's wordnet-base): anchor = a usage example containing its word, \
            positive = its synset's definition, hard negative = the definition of another sense of the word; \
            --held-out of the polysemous words are held out (no training triplet touches a synset containing one). \
            Sense accuracy@1 ranks the definitions of all senses of a held-out word by cosine to the example. \
            Writes OUT/train.tsv, OUT/test.jsonl (for Benchmarks/reference/wordnet_st.py), OUT/model (the \
            fine-tuned model) and OUT/results.json.

            Example:
              triplet text demo --model models/all-MiniLM-L6-v2 --out runs/text-demo
            """)

    @Option(help: "A Hugging Face BERT folder: config.json, vocab.txt, model.safetensors.") var model: String
    @Option(help: "Where to write the task, the fine-tuned model and the results.") var out: String
    @Option(help: "WordNet's folder (data.noun, index.noun, …).") var wordnet = "/usr/share/wordnet"
    @Option(help: "Share of the polysemous words held out for the test.") var heldOut = 0.1
    @Option(help: "Train on at most this many triplets (a seeded sample; default: all).") var limit: Int?
    @Option(help: "Passes over the training triplets.") var epochs = 1
    @Option(help: "Triplets per batch.") var batchSize = 32
    @Option(name: .customLong("lr"), help: "Peak learning rate.") var learningRate: Float = 2e-5
    @Option(help: "Share of the steps spent warming up.") var warmup: Float = 0.1
    @Option(help: "At most this many tokens per sentence.") var maxLength = 128
    @Option(help: "Seed of the split, the negatives and the batch order.") var seed: UInt64 = 0
    @Option(help: "Threads.") var threads = 2

    func run() throws {
        guard (limit ?? batchSize) >= batchSize, batchSize >= 2, epochs >= 1 else {
            throw ValidationError("--batch-size at least 2, --limit at least --batch-size, --epochs at least 1")
        }
        guard (0...1).contains(warmup) else { throw ValidationError("--warmup \(warmup): expected 0 to 1") }
        var task = try SenseRetrieval(
            wordnet: try WordNet(directory: URL(fileURLWithPath: wordnet)), heldOutShare: heldOut, seed: seed)
        let available = task.train.count
        if let limit, limit < available {
            var generator = SeededGenerator(seed: seed)
            task.train = Array(task.train.shuffled(using: &generator).prefix(limit))
        }
        let folder = URL(fileURLWithPath: out)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Self.write(task, to: folder)
        print(
            "WordNet sense retrieval: \(task.train.count) of \(available) training triplets, \(task.test.count) test examples; "
                + String(format: "random %.3f, first sense %.3f", task.randomAccuracy, task.firstSenseAccuracy))

        let modelFolder = URL(fileURLWithPath: model)
        let encoder = try BertEncoder(folder: modelFolder, threads: threads)
        let tokenizer = try BertTokenizer(folder: modelFolder, for: encoder, maxLength: maxLength)
        var encoding = (sentences: 0, seconds: 0.0)
        let embed = { (texts: [String]) in
            let start = Date()
            defer { encoding = (encoding.sentences + texts.count, encoding.seconds - start.timeIntervalSinceNow) }
            return try encoder.embed(sentences: texts, tokenizer: tokenizer)
        }
        let before = try task.accuracy(embed)
        let encodingRate = Double(encoding.sentences) / encoding.seconds
        print(
            String(
                format: "before fine-tuning: sense accuracy@1 %.4f (encoded %d sentences at %.0f sentences/s)", before,
                encoding.sentences, encodingRate))
        let (examples, seconds) = try TextTrain.fineTune(
            encoder, tokenizer: tokenizer, examples: task.train, objective: .multipleNegativesRanking, epochs: epochs,
            batchSize: batchSize, learningRate: learningRate, warmup: warmup, seed: seed)
        let after = try task.accuracy(embed)
        try encoder.save(to: folder.appendingPathComponent("model"), copyingFrom: modelFolder)
        let results = Results(
            trainingTriplets: task.train.count, testExamples: task.test.count, random: task.randomAccuracy,
            firstSense: task.firstSenseAccuracy, before: before, after: after, trainingSeconds: seconds,
            tripletsPerSecond: Double(examples) / seconds, encodingSentencesPerSecond: encodingRate)
        try JSONFiles.write(results, to: folder.appendingPathComponent("results.json"))
        print(
            String(
                format: "after fine-tuning: sense accuracy@1 %.4f (%d triplets in %.0f s, %.1f triplets/s); wrote %@",
                after, examples, seconds, Double(examples) / seconds, out))
    }

    /// OUT/train.tsv (anchor, positive, negative) and OUT/test.jsonl (one query per line), written atomically.
    static func write(_ task: SenseRetrieval, to folder: URL) throws {
        let tsv = task.train.map { $0.map { $0.replacingOccurrences(of: "\t", with: " ") }.joined(separator: "\t") }
        try Data((tsv.joined(separator: "\n") + "\n").utf8).write(
            to: folder.appendingPathComponent("train.tsv"), options: .atomic)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let lines = try task.test.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(
            to: folder.appendingPathComponent("test.jsonl"), options: .atomic)
    }

    struct Results: Codable {
        var trainingTriplets: Int
        var testExamples: Int
        var random: Double
        var firstSense: Double
        var before: Double
        var after: Double
        var trainingSeconds: Double
        var tripletsPerSecond: Double
        /// Sentences embedded per second while measuring the accuracy before fine-tuning.
        var encodingSentencesPerSecond: Double
    }
}
