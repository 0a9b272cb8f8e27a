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
        abstract: "Print the k nearest references (index, class, distance) of each query.",
        discussion: """
            Queries are embeddings (NPY [Q, D]); with --model they are raw inputs (NPY [Q, …]) embedded first, \
            image files (--image, resized to the model's input), or, with a data source, samples of a split \
            chosen by --query-rows. The index stores labels only: class names come from the data source at \
            search time (the one given, else the model's training source: Fashion-MNIST's names, or the \
            folder names of an image folder), so build the index from the same source. A dataset row's own \
            class is shown, and each neighbour is marked ✓ (same class) or ✗. --json prints one JSON object \
            per query (keys: query, row, file, label, class_name, neighbors: index, label, class_name, distance).

            Examples:
              triplet search --model runs/convnet --index train.tkindex \\
                --dataset fashion-mnist --split test --query-rows 0,1,2 -k 10
              triplet search --model runs/photos --index photos.tkindex \\
                --image a.png --image b.jpg -k 5 --json
            """
    )

    @Option(help: "The index file (triplet index build).") var index: String
    @Option(help: "Query embeddings, or raw inputs with --model (NPY).") var query: String?
    @Option(help: "An image file (PNG, JPEG, BMP, GIF, PGM) to query, with --model; repeat for several.")
    var image: [String] = []
    @Option(help: "A model folder, to embed the queries first.") var model: String?
    @OptionGroup var source: DataOptions
    @Option(help: "Split of fashion-mnist: train or test.") var split = "test"
    @Option(help: "Rows of --dataset to query, e.g. 0,5,9.") var queryRows = "0"
    @Option(name: .short, help: "Neighbours per query.") var k = 10
    @Option(help: "Threads.") var threads = 2
    @Flag(help: "Print one JSON object per query instead of text.") var json = false

    /// One neighbour in the `--json` output.
    struct Neighbor: Encodable {
        let index: Int, label: Int, className: String?, distance: Float
    }

    /// One query in the `--json` output: its dataset row or file, its label and class when known.
    struct Answer: Encodable {
        let query: Int, row: Int?, file: String?, label: Int?, className: String?, neighbors: [Neighbor]
    }

    func run() throws {
        let reference = try EmbeddingIndex(contentsOf: URL(fileURLWithPath: index))
        var inputs: Tensor
        var queryLabels: [Int]? = nil, rows: [Int]? = nil
        let trained = try model.map { try TrainedModel(directory: URL(fileURLWithPath: $0), threads: threads) }
        guard [query != nil, !image.isEmpty].filter({ $0 }).count <= 1 else {
            throw ValidationError("give --query or --image, not both")
        }
        var names: [String] = []
        if let trained {
            let dataSource = try source.source(model: trained)
            let given = [source.data, source.features, source.csv, source.dataset].contains { $0 != nil }
            names = (given ? dataSource : (trained.config?.data ?? dataSource)).classNamesWithoutLoading()
        }
        if !image.isEmpty {
            guard let trained else { throw ValidationError("--image needs --model, to embed the images") }
            inputs = try trained.readImages(image.map { URL(fileURLWithPath: $0) })
        } else if query == nil, let trained {
            guard let which = DataSplit(rawValue: split) else {
                throw ValidationError("--split \(split): expected train or test")
            }
            let chosen = try queryRows.split(separator: ",").map { part -> Int in
                guard let row = Int(part.trimmingCharacters(in: .whitespaces)) else {
                    throw ValidationError("--query-rows \(queryRows): expected numbers like 0,5,9")
                }
                return row
            }
            let loaded = try source.source(model: trained).load(split: which, threads: threads)
            inputs = try loaded.dataset.inputs.rows(chosen)
            queryLabels = chosen.map { loaded.dataset.labels[$0] }
            rows = chosen
            if !loaded.classNames.isEmpty { names = loaded.classNames }
        } else if let query {
            inputs = try NPY.readTensor(contentsOf: URL(fileURLWithPath: query))
        } else {
            throw ValidationError(
                "give --query FILE.npy, --image FILE, or --model with a data source (--dataset, --data, …)")
        }
        if let trained { inputs = try trained.embed(inputs) }
        let hits = try reference.search(inputs, k: k, threads: threads)
        func name(_ label: Int) -> String? { names.indices.contains(label) ? names[label] : nil }
        for q in 0..<inputs.rowCount {
            let neighbors = (0..<hits.k).map { i -> Neighbor in
                let j = Int(hits.indices[q * hits.k + i]), label = reference.labels[j]
                return Neighbor(
                    index: j, label: label, className: name(label), distance: hits.distances[q * hits.k + i])
            }
            let label = queryLabels?[q]
            let answer = Answer(
                query: q, row: rows?[q], file: image.isEmpty ? nil : image[q], label: label,
                className: label.flatMap(name), neighbors: neighbors)
            print(json ? try JSONFiles.line(answer) : Self.text(answer))
        }
    }

    /// `query 0 (row 0, label 9 Ankle boot): 18094 (Ankle boot, 0.0422) ✓, …`.
    static func text(_ answer: Answer) -> String {
        func describe(_ label: Int, _ name: String?) -> String {
            name.map { "label \(label) \($0)" } ?? "label \(label)"
        }
        var about: [String] = []
        if let row = answer.row { about.append("row \(row)") }
        if let file = answer.file { about.append(file) }
        if let label = answer.label { about.append(describe(label, answer.className)) }
        let head = "query \(answer.query)" + (about.isEmpty ? "" : " (" + about.joined(separator: ", ") + ")")
        let list = answer.neighbors.map { n -> String in
            let mark = answer.label.map { $0 == n.label ? " ✓" : " ✗" } ?? ""
            return "\(n.index) (\(n.className ?? "label \(n.label)"), \(String(format: "%.4f", n.distance)))\(mark)"
        }
        return head + ": " + list.joined(separator: ", ")
    }
}
