import Foundation
import TripletCore
import TripletData

/// Where a run's samples come from, as a value: made and checked once (by the CLI from its flags, or by
/// your code), stored in the model sidecar, and loaded the same way by training, evaluation, the report
/// and the gallery. Every source loads raw inputs — image intensities in 0...1, features as stored — and
/// the model's `ChannelNormalization` standardises them.
public enum DataSource: Codable, Equatable, Sendable {
    /// Fashion-MNIST's IDX files (Debian's `dataset-fashion-mnist`, or `directory`): a train and a test split.
    case fashionMNIST(directory: String?)
    /// A folder in torchvision's `ImageFolder` layout (ROOT/<class>/<images>), decoded by stb_image.
    case imageFolder(path: String, size: ImageSize?, channels: ImageChannels, skipBadFiles: Bool)
    /// Features [N, …] and labels [N] in two NPY files (no labels file: every label 0, for training on
    /// explicit triplets).
    case npy(features: String, labels: String?)
    /// A CSV file with one sample per row and a label column (nil: the last).
    case csv(path: String, labelColumn: String?)

    /// The case names as model.json holds them (`fashion_mnist`; earlier files: `fashionMNIST`, which
    /// `JSONFiles.decoder` reads as `fashionMnist`).
    enum CodingKeys: String, CodingKey {
        case fashionMNIST = "fashionMnist"
        case imageFolder, npy, csv
    }

    /// Samples, their class names (indexed by label; empty when the source has none) and, for files, the
    /// file of each row.
    public struct Loaded: Sendable {
        /// Inputs and labels.
        public var dataset: Dataset
        /// Class names by label (may be empty).
        public var classNames: [String]
        /// The file of each row, relative to the source folder (empty unless the source is a folder).
        public var files: [String]
    }

    /// Loads the source. `split` chooses Fashion-MNIST's train or test split; the other sources have one set
    /// and ignore it. `threads` decode images in parallel.
    public func load(split: DataSplit = .train, threads: Int = Parallel.defaultThreads) throws -> Loaded {
        switch self {
        case .fashionMNIST(let directory):
            let folder = directory.map { URL(fileURLWithPath: $0) } ?? FashionMNIST.defaultDirectory
            let data = try FashionMNIST.load(split: split, directory: folder, mean: 0, standardDeviation: 1)
            return Loaded(dataset: data, classNames: FashionMNIST.classNames, files: [])
        case .imageFolder(let path, let size, let channels, let skipBadFiles):
            let folder = try ImageFolder.load(
                URL(fileURLWithPath: path),
                options: ImageFolderOptions(
                    size: size, channels: channels, skipBadFiles: skipBadFiles, threads: max(1, threads)))
            return Loaded(dataset: folder.dataset, classNames: folder.classNames, files: folder.files)
        case .npy(let features, let labels?):
            let data = try NPYFeatures.read(
                features: URL(fileURLWithPath: features), labels: URL(fileURLWithPath: labels))
            return Loaded(dataset: data, classNames: [], files: [])
        case .npy(let features, nil):
            let inputs = try NPY.readTensor(contentsOf: URL(fileURLWithPath: features))
            guard inputs.shape.count >= 2, inputs.rowCount > 0 else {
                throw TripletError.corruptFile(
                    path: features, reason: "shape \(inputs.shape): expected samples [N, …] with N >= 1")
            }
            try inputs.validateEmbeddings("the features of \(features)")
            return Loaded(
                dataset: try Dataset(inputs: inputs, labels: Array(repeating: 0, count: inputs.rowCount)),
                classNames: [], files: [])
        case .csv(let path, let labelColumn):
            let table = try CSVFeatures.read(
                contentsOf: URL(fileURLWithPath: path), label: labelColumn.map { .name($0) } ?? .last)
            return Loaded(dataset: table.dataset, classNames: table.classNames ?? [], files: [])
        }
    }

    /// Whether the source has its own test split (Fashion-MNIST).
    public var hasTestSplit: Bool {
        if case .fashionMNIST = self { return true }
        return false
    }

    /// A short name for summaries ("fashion-mnist", "image folder photos/", …).
    public var name: String {
        switch self {
        case .fashionMNIST: return "fashion-mnist"
        case .imageFolder(let path, _, _, _): return "image folder \(path)"
        case .npy(let features, _): return "features \(features)"
        case .csv(let path, _): return "CSV \(path)"
        }
    }
}
