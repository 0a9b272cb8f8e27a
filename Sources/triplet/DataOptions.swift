import ArgumentParser
import Foundation
import TripletData
import TripletKit

/// The flags that choose a data source, shared by every command that reads samples.
struct DataOptions: ParsableArguments {
    @Option(help: "Dataset: fashion-mnist (the default without --data, --features or --csv).") var dataset: String?
    @Option(help: "Folder of Fashion-MNIST's files (default: the Debian package's).") var dataDir: String?
    @Option(help: "An image folder: ROOT/<class>/<images> (PNG, JPEG, BMP, GIF, PGM/PPM), as torchvision's.")
    var data: String?
    @Option(help: "Resize images to N×N or W×H, e.g. 28 or 64x48 (default: their own size; with a model: its).")
    var imageSize: String?
    @Option(help: "Image channels: grey, rgb or automatic (rgb when any image has colour).")
    var channels = ImageChannels.automatic
    @Flag(help: "Skip unreadable or damaged image files (counted) instead of stopping at the first.")
    var skipBadFiles = false
    @Option(help: "Features [N, …] as NPY (with --feature-labels).") var features: String?
    @Option(help: "Labels [N] as integer NPY, for --features (not needed with --triplets).") var featureLabels: String?
    @Option(help: "A CSV file, one sample per row (label column: --label-column, default the last).") var csv: String?
    @Option(help: "The label column of --csv, by header name.") var labelColumn: String?

    /// The source the flags name; with `model`, images are decoded at the model's input size and channels
    /// unless the flags say otherwise.
    func source(model: TrainedModel? = nil) throws -> DataSource {
        let given = [data != nil, features != nil, csv != nil, dataset != nil]
        guard given.filter({ $0 }).count <= 1 else {
            throw ValidationError("give one data source: --dataset, --data, --features or --csv")
        }
        if let data { return try imageFolder(data, model: model) }
        if let features { return .npy(features: features, labels: featureLabels) }
        if let csv { return .csv(path: csv, labelColumn: labelColumn) }
        guard (dataset ?? "fashion-mnist") == "fashion-mnist" else {
            throw ValidationError("--dataset \(dataset ?? ""): the named dataset is fashion-mnist (or use --data DIR)")
        }
        return .fashionMNIST(directory: dataDir)
    }

    /// An image folder at `path` with these flags' size and channels (or the model's).
    func imageFolder(_ path: String, model: TrainedModel? = nil) throws -> DataSource {
        var size = try imageSize.map(Self.parseSize)
        var channels = channels
        if let shape = model?.inputShape, shape.count == 3 {
            size = size ?? ImageSize(width: shape[2], height: shape[1])
            if channels == .automatic { channels = shape[0] == 1 ? .grey : .rgb }
        }
        return .imageFolder(path: path, size: size, channels: channels, skipBadFiles: skipBadFiles)
    }

    /// "28" or "64x48" (width × height).
    static func parseSize(_ text: String) throws -> ImageSize {
        let parts = text.lowercased().split(whereSeparator: { $0 == "x" || $0 == "×" }).map { Int($0) }
        guard (1...2).contains(parts.count), let width = parts.first ?? nil, let height = parts.last ?? nil,
            width > 0, height > 0
        else { throw ValidationError("--image-size \(text): expected N or WxH, e.g. 28 or 64x48") }
        return ImageSize(width: width, height: height)
    }
}

extension ImageChannels: ExpressibleByArgument {}
