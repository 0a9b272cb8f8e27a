import Foundation
import Testing

@testable import TripletCore
@testable import TripletData

@Suite("MNIST family loader")
struct MNISTFamilyTests {
    /// A folder with a tiny MNIST-shaped dataset: `count` 2×3 images per split, labels i mod 3.
    func makeFolder(count: Int = 4, compressed: Bool = true) throws -> TemporaryFolder {
        let folder = try TemporaryFolder()
        for prefix in ["train", "t10k"] {
            let pixels = (0..<count * 6).map { UInt8(truncatingIfNeeded: $0 * 37) }
            let images = idxBytes(shape: [count, 2, 3], elements: pixels)
            let labels = idxBytes(shape: [count], elements: (0..<count).map { UInt8($0 % 3) })
            let suffix = compressed ? ".gz" : ""
            try folder.write(compressed ? gzipStored(images) : images, to: "\(prefix)-images-idx3-ubyte\(suffix)")
            try folder.write(compressed ? gzipStored(labels) : labels, to: "\(prefix)-labels-idx1-ubyte\(suffix)")
        }
        return folder
    }

    let family = MNISTFamily(
        name: "Tiny", standardDirectory: URL(fileURLWithPath: "/nonexistent/tiny"), environmentVariable: nil,
        installHint: "make tiny", classNames: ["a", "b", "c"], mean: 0.5, standardDeviation: 0.25)

    @Test(arguments: [true, false])
    func loadsAndStandardises(compressed: Bool) throws {
        let folder = try makeFolder(count: 5, compressed: compressed)
        defer { folder.remove() }
        for split in DataSplit.allCases {
            let data = try family.load(split: split, directory: folder.url)
            #expect(data.inputs.shape == [5, 1, 2, 3])
            #expect(data.labels == [0, 1, 2, 0, 1])
            let expected = (0..<30).map { (Float(UInt8(truncatingIfNeeded: $0 * 37)) / 255 - 0.5) / 0.25 }
            #expect(data.inputs.scalars == expected)
        }
        let custom = try family.load(split: .train, directory: folder.url, mean: 0, standardDeviation: 1)
        #expect(custom.inputs.scalars[1] == Float(37) / 255)
    }

    @Test func missingFolderSaysHowToInstall() throws {
        #expect(throws: TripletError.self) { try family.load(split: .train) }
        do {
            _ = try FashionMNIST.load(split: .test, directory: URL(fileURLWithPath: "/nonexistent/fmnist"))
            Issue.record("expected an error")
        } catch let error as TripletError {
            #expect(error.description.contains("/nonexistent/fmnist"))
            #expect(error.description.contains("apt-get install dataset-fashion-mnist"))
            #expect(error.description.contains("make demo"))
            #expect(error.description.contains("TRIPLETKIT_FASHION_MNIST"))
        }
    }

    @Test func missingFileIsNamed() throws {
        let folder = try makeFolder()
        defer { folder.remove() }
        try FileManager.default.removeItem(at: folder.url.appendingPathComponent("t10k-labels-idx1-ubyte.gz"))
        let failure = corruptReason { _ = try family.load(split: .test, directory: folder.url) }
        #expect(failure?.path.hasSuffix("t10k-labels-idx1-ubyte.gz") == true)
        #expect(failure?.reason.contains("no such file") == true)
        #expect(failure?.reason.contains("make tiny") == true)
    }

    @Test func environmentVariableOverridesTheStandardFolder() throws {
        let folder = try makeFolder()
        defer { folder.remove() }
        var custom = family
        custom.environmentVariable = "TRIPLETKIT_TEST_\(UUID().uuidString.replacingOccurrences(of: "-", with: "_"))"
        #expect(custom.defaultDirectory.path == "/nonexistent/tiny")
        setenv(custom.environmentVariable!, folder.url.path, 1)
        defer { unsetenv(custom.environmentVariable!) }
        #expect(custom.defaultDirectory.path == folder.url.path)
        #expect(try custom.load(split: .train).count == 4)
    }

    @Test func rejectsInconsistentFiles() throws {
        let folder = try makeFolder()
        defer { folder.remove() }
        // Five labels for four images.
        try folder.write(gzipStored(idxBytes(shape: [5], elements: [0, 1, 2, 0, 1])), to: "train-labels-idx1-ubyte.gz")
        #expect(throws: TripletError.labelCountMismatch(embeddings: 4, labels: 5)) {
            try family.load(split: .train, directory: folder.url)
        }
        // A label outside 0..<3.
        try folder.write(idxBytes(shape: [4], elements: [0, 1, 3, 0]), to: "train-labels-idx1-ubyte.gz")
        #expect(
            corruptReason { _ = try family.load(split: .train, directory: folder.url) }?.reason.contains("label 3")
                == true)
        // Images that are not [N, H, W].
        try folder.write(
            idxBytes(shape: [4, 6], elements: [UInt8](repeating: 0, count: 24)), to: "t10k-images-idx3-ubyte.gz")
        #expect(throws: TripletError.self) { try family.load(split: .test, directory: folder.url) }
        // A standard deviation of zero.
        #expect(throws: TripletError.self) {
            try family.load(split: .train, directory: folder.url, standardDeviation: 0)
        }
    }
}

@Suite("Fashion-MNIST (installed)")
struct FashionMNISTInstalledTests {
    static let installed = FileManager.default.fileExists(atPath: FashionMNIST.defaultDirectory.path)

    @Test(
        .enabled(
            if: installed,
            "Fashion-MNIST is not installed at \(FashionMNIST.defaultDirectory.path): apt-get install dataset-fashion-mnist"
        ))
    func loadsTheRealDataset() throws {
        let clock = ContinuousClock()
        var train: Dataset?
        let elapsed = try clock.measure { train = try FashionMNIST.load(split: .train) }
        let test = try FashionMNIST.load(split: .test)
        guard let train else { return }
        print("Fashion-MNIST train set loaded in \(elapsed)")
        #expect(train.count == 60000)
        #expect(test.count == 10000)
        #expect(train.inputs.shape == [60000, 1, 28, 28])
        #expect(test.inputs.shape == [10000, 1, 28, 28])
        #expect(Set(train.labels) == Set(0..<10))
        #expect(Set(test.labels) == Set(0..<10))
        #expect(train.labels.filter { $0 == 9 }.count == 6000)
        // One pass over the 47 million pixels: sum and sum of squares.
        let (sum, squares) = train.inputs.scalars.withUnsafeBufferPointer { pixels in
            var sum = 0.0
            var squares = 0.0
            for value in pixels {
                sum += Double(value)
                squares += Double(value) * Double(value)
            }
            return (sum, squares)
        }
        let n = Double(train.inputs.scalars.count)
        let mean = sum / n
        let variance = squares / n - mean * mean
        #expect(abs(mean) < 1e-3, "standardised mean \(mean)")
        #expect(abs(variance.squareRoot() - 1) < 1e-2, "standardised deviation \(variance.squareRoot())")
        #expect(train.inputs.scalars.min() == (Float(0) - 0.2860) / 0.3530)
    }
}
