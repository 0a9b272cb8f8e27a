import ArgumentParser
import Foundation
import TripletKit

/// `triplet embed`: embeddings of a dataset split with a trained model.
struct Embed: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the embeddings of a dataset split with a trained model, as NPY.",
        discussion: """
            Example:
              triplet embed --model runs/convnet --dataset fashion-mnist --split test --out emb.npy --labels-out labels.npy
            """
    )

    @Option(help: "The model folder written by `triplet train`.") var model: String
    @Option(help: "Dataset: fashion-mnist.") var dataset = "fashion-mnist"
    @Option(help: "Split: train or test.") var split = "test"
    @Option(help: "Where to write the embeddings [N, D] (float32 NPY).") var out: String
    @Option(help: "Where to write the labels [N] (int64 NPY).") var labelsOut: String?
    @Option(help: "Threads.") var threads = 2
    @Option(help: "Folder of the dataset files (default: the Debian package's).") var dataDir: String?

    func run() throws {
        guard let which = DataSplit(rawValue: split) else {
            throw ValidationError("--split \(split): expected train or test")
        }
        let data = try DatasetSource(name: dataset, directory: dataDir).load(which)
        let trained = try TrainedModel(directory: URL(fileURLWithPath: model), threads: threads)
        let embeddings = try trained.embed(data.inputs)
        try NPY.write(embeddings, to: URL(fileURLWithPath: out))
        if let labelsOut { try NPY.write(labels: data.labels, to: URL(fileURLWithPath: labelsOut)) }
        print("wrote \(out): \(embeddings.shape)")
    }
}
