import ArgumentParser
import Foundation
import TripletGallery
import TripletKit

/// The options every `triplet gallery` subcommand shares: the gallery file and the model.
struct GalleryOptions: ParsableArguments {
    @Option(help: "The gallery file (SQLite, created when missing).") var gallery: String
    @Option(help: "The model folder written by `triplet train` (its fingerprint guards the gallery).")
    var model: String
    @Option(help: "Embedding dimension (default: the model's; needed only when the model cannot be loaded).")
    var dimension: Int?
    @Option(help: "Templates per identity: allSamples (its nearest sample decides) or normalizedMean (one mean).")
    var templates = GalleryTemplates.allSamples
    @Option(help: "Threads.") var threads = 2

    /// The model folder as a URL.
    var modelURL: URL { URL(fileURLWithPath: model) }

    /// Loads the network (only needed to embed raw inputs).
    func trainedModel() throws -> TrainedModel { try TrainedModel(directory: modelURL, threads: threads) }

    /// Opens (or creates) the gallery with the model file's fingerprint and the dimension `known`, else
    /// `--dimension`, else the model's.
    func open(dimension known: Int? = nil) throws -> Gallery {
        let url = URL(fileURLWithPath: gallery)
        let width = try known ?? dimension ?? trainedModel().embeddingDimension
        if let known, !FileManager.default.fileExists(atPath: url.path) {
            // A new gallery takes the model's width: embeddings of another width come from another model.
            let expected = try dimension ?? trainedModel().embeddingDimension
            guard known == expected else { throw TripletError.dimensionMismatch(expected: expected, got: known) }
        }
        do {
            return try Gallery(
                path: url, fingerprint: try ModelFingerprint.of(directory: modelURL), dimension: width,
                templates: templates)
        } catch TripletError.settingsMismatch(name: "dimension", let stored, let given) where known != nil {
            // The width came from the samples: they are what does not fit the gallery.
            throw TripletError.dimensionMismatch(expected: Int(stored) ?? 0, got: Int(given) ?? width)
        }
    }
}

/// Where the samples of a gallery subcommand come from: dataset rows, an NPY file or PGM images.
struct GalleryInputOptions: ParsableArguments {
    @OptionGroup var source: DataOptions
    @Option(help: "Split of fashion-mnist: train or test.") var split = "test"
    @Option(help: "Dataset rows: indices and ranges, e.g. 0,5,9 or 0-99.") var rows: String?
    @Option(help: "Take the first --count rows of this class (after --skip of them).") var rowsOfClass: Int?
    @Option(help: "How many rows with --rows-of-class.") var count = 5
    @Option(help: "How many rows of the class to skip first with --rows-of-class.") var skip = 0
    @Option(help: "Raw inputs [N, …] as NPY (before standardisation), embedded with --model.") var npy: String?
    @Option(help: "Embeddings [N, D] as NPY, stored as they are.") var embeddings: String?
    @Option(help: "An image file (PNG, JPEG, BMP, GIF, PGM), resized to the model's input; repeat for several.")
    var image: [String] = []

    /// The samples' embeddings `[n, D]` and, for dataset rows, their labels.
    func load(_ options: GalleryOptions) throws -> (embeddings: Tensor, labels: [Int]?) {
        let sources = [rows != nil || rowsOfClass != nil, npy != nil, embeddings != nil, !image.isEmpty]
        guard sources.filter({ $0 }).count == 1 else {
            throw ValidationError("give exactly one input: --rows / --rows-of-class, --npy, --embeddings or --image")
        }
        if let embeddings {
            let e = try NPY.readTensor(contentsOf: URL(fileURLWithPath: embeddings))
            guard e.shape.count == 2 else {
                throw ValidationError("--embeddings \(embeddings): shape \(e.shape), expected [N, D]")
            }
            return (e, nil)
        }
        let model = try options.trainedModel()
        if let npy {
            return (try model.embed(try NPY.readTensor(contentsOf: URL(fileURLWithPath: npy))), nil)
        }
        if !image.isEmpty {
            return (try model.embed(try model.readImages(image.map { URL(fileURLWithPath: $0) })), nil)
        }
        let data = try loadRows(model: model, options: options)
        return (try model.embed(data.inputs), data.labels)
    }

    /// The chosen dataset rows.
    func loadRows(model: TrainedModel, options: GalleryOptions) throws -> Dataset {
        guard let which = DataSplit(rawValue: split) else {
            throw ValidationError("--split \(split): expected train or test")
        }
        let data = try source.source(model: model).load(split: which, threads: options.threads).dataset
        let indices: [Int]
        if let rows {
            indices = try Self.parseRows(rows, count: data.count)
        } else if let rowsOfClass {
            guard count >= 1, skip >= 0 else { throw ValidationError("--count must be >= 1 and --skip >= 0") }
            let all = data.labels.indices.filter { data.labels[$0] == rowsOfClass }
            guard all.count >= skip + count else {
                throw ValidationError(
                    "--rows-of-class \(rowsOfClass): \(all.count) rows in \(split), fewer than --skip + --count")
            }
            indices = Array(all[skip..<(skip + count)])
        } else {
            indices = []
        }
        return try data.subset(indices)
    }

    /// "0,5,9" or "0-99,120" as indices, each below `count`.
    static func parseRows(_ text: String, count: Int) throws -> [Int] {
        var out: [Int] = []
        for part in text.split(separator: ",") {
            let ends = part.split(separator: "-", omittingEmptySubsequences: false).map {
                Int($0.trimmingCharacters(in: .whitespaces))
            }
            guard (1...2).contains(ends.count), let first = ends.first ?? nil, let last = ends.last ?? nil,
                first >= 0, first <= last, last < count
            else {
                throw ValidationError("--rows \(text): \"\(part)\" is not an index or range within 0..<\(count)")
            }
            out += Array(first...last)
        }
        guard !out.isEmpty else { throw ValidationError("--rows \(text): no rows") }
        return out
    }
}

extension GalleryTemplates: ExpressibleByArgument {}
