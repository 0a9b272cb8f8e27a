import Foundation
import TripletCore

/// A dataset laid out like MNIST: four IDX files (train and test images [N, H, W] and labels [N], unsigned
/// bytes, optionally gzip-compressed) in one folder.
///
/// ```swift
/// let train = try MNISTFamily.fashionMNIST.load(split: .train)   // inputs [60000, 1, 28, 28]
/// ```
///
/// Inputs are standardised: `(x / 255 − mean) / standardDeviation`, one channel.
public struct MNISTFamily: Sendable {
    /// The dataset's name, for messages.
    public var name: String
    /// Where the files are when neither an argument nor the environment variable says otherwise.
    public var standardDirectory: URL
    /// An environment variable that, when set, overrides `standardDirectory`.
    public var environmentVariable: String?
    /// What to tell a user whose folder is missing (how to install the files).
    public var installHint: String
    /// The names of the classes, indexed by label.
    public var classNames: [String]
    /// The mean of the training pixels scaled to [0, 1]: the default standardisation shift.
    public var mean: Float
    /// Their standard deviation: the default standardisation scale.
    public var standardDeviation: Float

    /// Describes a dataset; `classNames.count` is the number of classes the labels must fall into.
    public init(
        name: String, standardDirectory: URL, environmentVariable: String?, installHint: String,
        classNames: [String], mean: Float, standardDeviation: Float
    ) {
        self.name = name
        self.standardDirectory = standardDirectory
        self.environmentVariable = environmentVariable
        self.installHint = installHint
        self.classNames = classNames
        self.mean = mean
        self.standardDeviation = standardDeviation
    }

    /// Fashion-MNIST (Xiao et al. 2017) as Debian's `dataset-fashion-mnist` installs it, overridable with
    /// `TRIPLETKIT_FASHION_MNIST`; mean 0.2860, standard deviation 0.3530.
    public static let fashionMNIST = MNISTFamily(
        name: "Fashion-MNIST",
        standardDirectory: URL(fileURLWithPath: "/usr/share/datasets/fashion-mnist", isDirectory: true),
        environmentVariable: "TRIPLETKIT_FASHION_MNIST",
        installHint: "install it with `apt-get install dataset-fashion-mnist` (or `make demo`, which installs it)",
        classNames: [
            "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
        ],
        mean: 0.2860, standardDeviation: 0.3530)

    /// The folder `load` reads by default: the environment variable's value when it is set and not empty,
    /// else `standardDirectory`.
    public var defaultDirectory: URL {
        if let variable = environmentVariable, let value = ProcessInfo.processInfo.environment[variable],
            !value.isEmpty
        {
            return URL(fileURLWithPath: value, isDirectory: true)
        }
        return standardDirectory
    }

    /// The base names of a split's image and label files (each may also carry a `.gz` suffix).
    public func fileNames(_ split: DataSplit) -> (images: String, labels: String) {
        let prefix = split == .train ? "train" : "t10k"
        return ("\(prefix)-images-idx3-ubyte", "\(prefix)-labels-idx1-ubyte")
    }

    /// Loads one split: inputs [N, 1, H, W] with `(x / 255 − mean) / standardDeviation`, labels in
    /// `0..<classNames.count`. Throws `TripletError` when the folder or a file is missing (saying how to
    /// install it), a file is corrupt, the images are not [N, H, W] unsigned bytes, the counts of images
    /// and labels differ, or a label is out of range.
    public func load(
        split: DataSplit, directory: URL? = nil, mean: Float? = nil, standardDeviation: Float? = nil
    ) throws -> Dataset {
        let folder = directory ?? defaultDirectory
        let scale = standardDeviation ?? self.standardDeviation
        guard scale > 0, scale.isFinite, (mean ?? self.mean).isFinite else {
            throw TripletError.invalidParameter(
                name: "standardisation", value: "mean \(mean ?? self.mean), deviation \(scale)",
                expected: "a finite mean and a positive, finite standard deviation")
        }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder), isFolder.boolValue else {
            let override = environmentVariable.map { " or point \($0) at a folder that has them" } ?? ""
            throw TripletError.invalidParameter(
                name: "\(name) folder", value: folder.path,
                expected: "a folder with the \(name) IDX files: \(installHint)\(override)")
        }
        let names = fileNames(split)
        let images = try IDX.read(contentsOf: try locate(names.images, in: folder))
        let labelFile = try locate(names.labels, in: folder)
        let labels = try IDX.read(contentsOf: labelFile)
        return try assemble(
            images: images, labels: labels, labelFile: labelFile.path, mean: mean ?? self.mean, scale: scale)
    }

    /// The file `name` or `name.gz` in `folder`, or an error naming both.
    private func locate(_ name: String, in folder: URL) throws -> URL {
        let plain = folder.appendingPathComponent(name)
        let compressed = folder.appendingPathComponent(name + ".gz")
        for candidate in [compressed, plain] where FileManager.default.fileExists(atPath: candidate.path) {
            return candidate
        }
        throw TripletError.corruptFile(
            path: compressed.path, reason: "no such file (nor \(name) uncompressed): \(installHint)")
    }

    /// Checks the two arrays against each other and standardises the pixels.
    private func assemble(
        images: IDXArray, labels: IDXArray, labelFile: String, mean: Float, scale: Float
    ) throws -> Dataset {
        guard images.dataType == .uint8, images.shape.count == 3 else {
            throw TripletError.shapeMismatch(
                expected: "[N, H, W] of unsigned bytes for \(name) images", got: images.shape)
        }
        guard labels.dataType.isInteger, labels.shape.count == 1 else {
            throw TripletError.shapeMismatch(expected: "[N] of integers for \(name) labels", got: labels.shape)
        }
        guard images.shape[0] == labels.shape[0] else {
            throw TripletError.labelCountMismatch(embeddings: images.shape[0], labels: labels.shape[0])
        }
        let labelValues = try labels.integers()
        if let bad = labelValues.firstIndex(where: { !(0..<classNames.count).contains($0) }) {
            throw TripletError.corruptFile(
                path: labelFile,
                reason: "label \(labelValues[bad]) at index \(bad) is outside 0..<\(classNames.count)")
        }
        // One table lookup per pixel: the 256 standardised values, computed once.
        let table = (0..<256).map { (Float($0) / 255 - mean) / scale }
        let count = images.count
        let pixels = table.withUnsafeBufferPointer { table in
            images.data.withUnsafeBufferPointer { source in
                [Float](unsafeUninitializedCapacity: count) { out, initialized in
                    Parallel.forEachChunk(count, threads: min(4, Parallel.defaultThreads), chunksPerThread: 1) {
                        range in
                        for i in range { out[i] = table[Int(source[i])] }
                    }
                    initialized = count
                }
            }
        }
        let shape = [images.shape[0], 1, images.shape[1], images.shape[2]]
        return try Dataset(inputs: Tensor(shape: shape, scalars: pixels), labels: labelValues)
    }
}
