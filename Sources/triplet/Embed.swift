import ArgumentParser
import Foundation
import TripletKit

/// `triplet embed`: embeddings of a dataset split with a trained model.
struct Embed: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the embeddings of a dataset split with a trained model, as NPY.",
        discussion: """
            The inputs are standardised as the model's training inputs were (model.json's input_normalization); \
            images of --data and --image files are resized to the model's input size.

            Examples:
              triplet embed --model runs/photos --data photos/ --out emb.npy \\
                --labels-out labels.npy
              triplet embed --model runs/convnet --dataset fashion-mnist --split test \\
                --out emb.npy --labels-out labels.npy
              triplet embed --model runs/photos --image a.png --image b.jpg --out ab.npy
            """
    )

    @Option(help: "The model folder written by `triplet train`.") var model: String
    @OptionGroup var source: DataOptions
    @Option(help: "Split of fashion-mnist: train or test.") var split = "test"
    @Option(help: "Where to write the embeddings [N, D] (float32 NPY).") var out: String
    @Option(help: "Where to write the labels [N] (int64 NPY).") var labelsOut: String?
    @Option(help: "An image file (PNG, JPEG, BMP, GIF, PGM) to embed instead of a data source; repeat for several.")
    var image: [String] = []
    @Option(help: "Threads.") var threads = 2

    func run() throws {
        guard let which = DataSplit(rawValue: split) else {
            throw ValidationError("--split \(split): expected train or test")
        }
        let trained = try TrainedModel(directory: URL(fileURLWithPath: model), threads: threads)
        if !image.isEmpty {
            guard labelsOut == nil else { throw ValidationError("--labels-out: image files have no labels") }
            let embeddings = try trained.embed(try trained.readImages(image.map { URL(fileURLWithPath: $0) }))
            try NPY.write(embeddings, to: URL(fileURLWithPath: out))
            print("wrote \(out): \(embeddings.shape)")
            return
        }
        let data = try source.source(model: trained).load(split: which, threads: threads).dataset
        let embeddings = try trained.embed(data.inputs)
        try NPY.write(embeddings, to: URL(fileURLWithPath: out))
        if let labelsOut { try NPY.write(labels: data.labels, to: URL(fileURLWithPath: labelsOut)) }
        print("wrote \(out): \(embeddings.shape)")
    }
}
