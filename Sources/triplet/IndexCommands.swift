import ArgumentParser
import Foundation
import TripletKit

/// `triplet index …`: saved reference sets for `triplet search`.
struct Index: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build a searchable index of reference embeddings.", subcommands: [IndexBuild.self])
}

/// `triplet index build`: embeddings (and labels) into a versioned index file.
struct IndexBuild: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Write an index file from embeddings [N, D] and labels [N] (NPY).",
        discussion: """
            Example:
              triplet embed --model runs/convnet --split train --out train.npy \\
                --labels-out train-labels.npy
              triplet index build --embeddings train.npy --labels train-labels.npy \\
                --metric euclidean --out train.tkindex
            """
    )

    @Option(help: "Reference embeddings [N, D], float NPY.") var embeddings: String
    @Option(help: "Their labels [N], integer NPY (default: 0, 1, 2, …).") var labels: String?
    @Option(help: "Metric: euclidean, squaredEuclidean, cosine or dot.") var metric = "euclidean"
    @Option(help: "The index file to write.") var out: String

    func run() throws {
        guard let chosen = KNNMetric(rawValue: metric) else {
            throw ValidationError("--metric \(metric): expected one of \(KNNMetric.allCases.map(\.rawValue))")
        }
        let e = try NPY.readTensor(contentsOf: URL(fileURLWithPath: embeddings))
        let y = try labels.map { try NPY.readLabels(contentsOf: URL(fileURLWithPath: $0)) } ?? Array(0..<e.rowCount)
        let index = try EmbeddingIndex(embeddings: e, labels: y, metric: chosen)
        try index.write(to: URL(fileURLWithPath: out))
        print("wrote \(out): \(e.rowCount) × \(e.rowWidth), \(chosen.rawValue)")
    }
}

/// `triplet search`: nearest references of queries in an index.
struct Search: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the k nearest references (index, label, distance) of each query.",
        discussion: """
            Queries are embeddings (NPY [Q, D]); with --model they are raw inputs (NPY [Q, …]) embedded first, or,
            with --dataset, samples of a dataset split chosen by --query-rows.

            Example:
              triplet search --model runs/convnet --index train.tkindex \\
                --dataset fashion-mnist --split test --query-rows 0,1,2 -k 10
            """
    )

    @Option(help: "The index file (triplet index build).") var index: String
    @Option(help: "Query embeddings, or raw inputs with --model (NPY).") var query: String?
    @Option(help: "A model folder, to embed the queries first.") var model: String?
    @OptionGroup var source: DataOptions
    @Option(help: "Split of fashion-mnist: train or test.") var split = "test"
    @Option(help: "Rows of --dataset to query, e.g. 0,5,9.") var queryRows = "0"
    @Option(name: .short, help: "Neighbours per query.") var k = 10
    @Option(help: "Threads.") var threads = 2

    func run() throws {
        let reference = try EmbeddingIndex(contentsOf: URL(fileURLWithPath: index))
        var inputs: Tensor
        let trained = try model.map { try TrainedModel(directory: URL(fileURLWithPath: $0), threads: threads) }
        if query == nil, let trained {
            guard let which = DataSplit(rawValue: split) else {
                throw ValidationError("--split \(split): expected train or test")
            }
            let rows = try queryRows.split(separator: ",").map { part -> Int in
                guard let row = Int(part.trimmingCharacters(in: .whitespaces)) else {
                    throw ValidationError("--query-rows \(queryRows): expected numbers like 0,5,9")
                }
                return row
            }
            inputs = try source.source(model: trained).load(split: which, threads: threads).dataset.inputs.rows(rows)
        } else if let query {
            inputs = try NPY.readTensor(contentsOf: URL(fileURLWithPath: query))
        } else {
            throw ValidationError("give --query FILE.npy, or --model with a data source (--dataset, --data, …)")
        }
        if let trained { inputs = try trained.embed(inputs) }
        let hits = try reference.search(inputs, k: k, threads: threads)
        for q in 0..<inputs.rowCount {
            let line = (0..<hits.k).map { i -> String in
                let j = Int(hits.indices[q * hits.k + i])
                return String(format: "%d (label %d, %.4f)", j, reference.labels[j], hits.distances[q * hits.k + i])
            }
            print("query \(q): " + line.joined(separator: ", "))
        }
    }
}
