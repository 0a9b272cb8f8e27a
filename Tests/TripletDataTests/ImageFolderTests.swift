import Foundation
import Testing

@testable import TripletCore
@testable import TripletData

/// Writes `bytes` to `path` (relative, with folders) under `folder`.
private func put(_ bytes: [UInt8], _ path: String, in folder: TemporaryFolder) throws {
    let url = folder.url.appendingPathComponent(path)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(bytes).write(to: url)
}

/// A 4×3 grey image whose every level is `level`.
private func flat(_ level: UInt8, width: Int = 4, height: Int = 3) throws -> [UInt8] {
    try ImageEncoder.png(
        width: width, height: height, channels: 1, pixels: [UInt8](repeating: level, count: width * height))
}

/// The `TripletError` that loading throws, as its description.
private func loadError(_ root: URL, _ options: ImageFolderOptions = ImageFolderOptions()) -> String? {
    do {
        _ = try ImageFolder.load(root, options: options)
        return nil
    } catch {
        return (error as? TripletError)?.description ?? "not a TripletError: \(error)"
    }
}

@Suite("Image folder")
struct ImageFolderTests {
    /// Three classes ("Zebra" sorts before "cat": code point order), mixed formats and extension cases, a
    /// sub-folder, hidden and non-image files; each image is flat at a level that identifies it.
    func makeTree() throws -> (TemporaryFolder, [String: UInt8]) {
        let folder = try TemporaryFolder()
        let levels: [String: UInt8] = [
            "Zebra/z1.png": 10, "cat/a.PNG": 20, "cat/b.bmp": 30, "cat/c.pgm": 40, "dog/x.Jpeg": 50,
            "dog/sub/y.png": 60,
        ]
        for (path, level) in levels {
            let pixels = [UInt8](repeating: level, count: 12)
            switch (path as NSString).pathExtension.lowercased() {
            case "bmp":
                try put(try ImageEncoder.bmp(width: 4, height: 3, channels: 1, pixels: pixels), path, in: folder)
            case "pgm": try put(ImageFixtures.pgm(width: 4, height: 3, pixels), path, in: folder)
            case "jpeg":
                try put(
                    try ImageEncoder.jpeg(width: 4, height: 3, channels: 1, pixels: pixels, quality: 100), path,
                    in: folder)
            default: try put(try flat(level), path, in: folder)
            }
        }
        try put(try flat(99), "cat/.hidden.png", in: folder)
        try put(Array("not an image".utf8), "cat/notes.txt", in: folder)
        try put(try flat(99), ".git/objects/x.png", in: folder)
        try put(Array("readme".utf8), "README.md", in: folder)
        return (folder, levels)
    }

    @Test func ordersClassesFilesAndLabelsAsTorchvision() throws {
        let (folder, levels) = try makeTree()
        defer { folder.remove() }
        // stb_image_write's BMPs are 24-bit colour, so `.automatic` would give 3 channels: ask for grey.
        let loaded = try ImageFolder.load(folder.url, options: ImageFolderOptions(channels: .grey, threads: 2))
        #expect(try ImageFolder.load(folder.url).dataset.inputs.shape == [6, 3, 3, 4])
        #expect(loaded.classNames == ["Zebra", "cat", "dog"])
        #expect(loaded.classCount == 3)
        #expect(loaded.files == ["Zebra/z1.png", "cat/a.PNG", "cat/b.bmp", "cat/c.pgm", "dog/x.Jpeg", "dog/sub/y.png"])
        #expect(loaded.dataset.labels == [0, 1, 1, 1, 2, 2])
        #expect(loaded.dataset.inputs.shape == [6, 1, 3, 4])
        #expect(loaded.skipped.isEmpty)
        for (row, file) in loaded.files.enumerated() {
            let level = Float(levels[file] ?? 0) / 255
            let tolerance: Float = file.hasSuffix("Jpeg") ? 0.01 : 0
            #expect(loaded.dataset.inputs.row(row).allSatisfy { abs($0 - level) <= tolerance }, "\(file)")
        }
    }

    @Test func choosesChannelsAutomaticallyOrAsAsked() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try put(try flat(100), "a/grey.png", in: folder)
        try put(
            try ImageEncoder.png(width: 4, height: 3, channels: 3, pixels: [UInt8](repeating: 7, count: 36)), "b/c.png",
            in: folder)
        let automatic = try ImageFolder.load(folder.url)
        #expect(automatic.dataset.inputs.shape == [2, 3, 3, 4])
        #expect(automatic.dataset.inputs.row(0).allSatisfy { $0 == 100 / 255 })
        let grey = try ImageFolder.load(folder.url, options: ImageFolderOptions(channels: .grey))
        #expect(grey.dataset.inputs.shape == [2, 1, 3, 4])
        #expect(grey.dataset.inputs.row(1).allSatisfy { $0 == 7 / 255 })
        try FileManager.default.removeItem(at: folder.url.appendingPathComponent("b"))
        #expect(try ImageFolder.load(folder.url).dataset.inputs.shape == [1, 1, 3, 4])
    }

    @Test func followsLinkedFoldersButNotInCircles() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try put(try flat(10), "a/1.png", in: folder)
        try put(try flat(20), "b/2.png", in: folder)
        let manager = FileManager.default
        try manager.createSymbolicLink(
            at: folder.url.appendingPathComponent("a/loop"), withDestinationURL: folder.url.appendingPathComponent("a"))
        try manager.createSymbolicLink(
            at: folder.url.appendingPathComponent("c"), withDestinationURL: folder.url.appendingPathComponent("b"))
        let loaded = try ImageFolder.load(folder.url)
        #expect(loaded.classNames == ["a", "b", "c"])
        #expect(loaded.files == ["a/1.png", "b/2.png", "c/2.png"])
        #expect(loaded.dataset.labels == [0, 1, 2])
    }

    @Test func mixedSizesNeedAnImageSize() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try put(try flat(10), "a/1.png", in: folder)
        try put(try flat(20), "a/2.png", in: folder)
        try put(try flat(30, width: 8, height: 6), "b/3.png", in: folder)
        let error = loadError(folder.url)
        #expect(error?.contains("4×3 of a/1.png and 8×6 of b/3.png") == true, "\(error ?? "no error")")
        #expect(error?.contains("ImageFolderOptions.size") == true)
        let resized = try ImageFolder.load(
            folder.url, options: ImageFolderOptions(size: ImageSize(width: 2, height: 2)))
        #expect(resized.dataset.inputs.shape == [3, 1, 2, 2])
        #expect(resized.dataset.inputs.row(2).allSatisfy { abs($0 - 30 / 255) < 1e-6 })
    }

    @Test func parallelDecodingEqualsSerial() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        for i in 0..<37 {
            let pixels = ImageFixtures.pattern(width: 6, height: 5, channels: 3, seed: i)
            let bytes =
                i % 3 == 0
                ? try ImageEncoder.bmp(width: 6, height: 5, channels: 3, pixels: pixels)
                : try ImageEncoder.png(width: 6, height: 5, channels: 3, pixels: pixels)
            try put(bytes, "class\(i % 4)/\(i).\(i % 3 == 0 ? "bmp" : "png")", in: folder)
        }
        let options = ImageFolderOptions(size: ImageSize(width: 4, height: 4))
        var serialOptions = options
        serialOptions.threads = 1
        var parallelOptions = options
        parallelOptions.threads = 4
        let serial = try ImageFolder.load(folder.url, options: serialOptions)
        let parallel = try ImageFolder.load(folder.url, options: parallelOptions)
        #expect(serial.dataset.inputs.shape == [37, 3, 4, 4])
        #expect(serial.dataset.inputs == parallel.dataset.inputs)
        #expect(serial.dataset.labels == parallel.dataset.labels)
        #expect(serial.files == parallel.files)
        // And each row is the file decoded on its own.
        let alone = try ImageDecoder.read(
            contentsOf: folder.url.appendingPathComponent(serial.files[5]), channels: .rgb,
            size: ImageSize(width: 4, height: 4))
        #expect(serial.dataset.inputs.row(5) == alone.pixels)
    }

    @Test func rejectsMissingEmptyAndClasslessFolders() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let missing = folder.url.appendingPathComponent("nowhere")
        #expect(loadError(missing)?.contains("no such folder") == true)
        #expect(loadError(folder.url)?.contains("no class folders") == true)
        try put(try flat(1), "loose.png", in: folder)
        #expect(loadError(folder.url.appendingPathComponent("loose.png"))?.contains("not a file") == true)
        #expect(loadError(folder.url)?.contains("no class folders") == true)
        try put(try flat(1), "a/1.png", in: folder)
        try put(Array("x".utf8), "b/readme.txt", in: folder)
        try FileManager.default.createDirectory(
            at: folder.url.appendingPathComponent("c"), withIntermediateDirectories: true)
        let empty = loadError(folder.url)
        #expect(empty?.contains("found no image file for the classes b, c") == true, "\(empty ?? "no error")")
        #expect(empty?.contains(".png") == true)
        #expect(loadError(folder.url, ImageFolderOptions(threads: 0))?.contains("threads") == true)
        #expect(
            loadError(folder.url, ImageFolderOptions(size: ImageSize(width: 0, height: 2)))?.contains("image size")
                == true)
    }

    @Test func namesABadFileOrSkipsIt() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        for i in 0..<4 { try put(try flat(UInt8(i * 10)), "a/\(i).png", in: folder) }
        try put(try flat(200), "b/ok.png", in: folder)
        let whole = try flat(50)
        try put(Array(whole[..<(whole.count / 2)]), "a/2.png", in: folder)  // truncated after its header
        let truncated = corruptReason { _ = try ImageFolder.load(folder.url) }
        #expect(truncated?.path.hasSuffix("a/2.png") == true)
        #expect(truncated?.reason.contains("stb_image says") == true)
        try put(Array("garbage, not a picture".utf8), "b/bad.jpg", in: folder)
        try put(try flat(20), "a/2.png", in: folder)
        let garbage = corruptReason { _ = try ImageFolder.load(folder.url) }
        #expect(garbage?.path.hasSuffix("b/bad.jpg") == true)
        #expect(garbage?.reason.contains("not an image stb_image can read") == true)

        try put(Array(whole[..<(whole.count / 2)]), "a/2.png", in: folder)
        let kept = try ImageFolder.load(folder.url, options: ImageFolderOptions(skipBadFiles: true, threads: 2))
        #expect(kept.skipped.map(\.path) == ["a/2.png", "b/bad.jpg"])
        #expect(kept.skipped.allSatisfy { !$0.reason.isEmpty })
        #expect(kept.files == ["a/0.png", "a/1.png", "a/3.png", "b/ok.png"])
        #expect(kept.dataset.labels == [0, 0, 0, 1])
        #expect(kept.dataset.inputs.shape == [4, 1, 3, 4])
        #expect(kept.dataset.inputs.row(2).allSatisfy { $0 == 30 / 255 })
        #expect(kept.dataset.inputs.row(3).allSatisfy { $0 == 200 / 255 })

        // Nothing left to load is an error even when skipping.
        for i in [0, 1, 3] { try put(Array("x".utf8), "a/\(i).png", in: folder) }
        try put(Array("x".utf8), "b/ok.png", in: folder)
        let none = corruptReason {
            _ = try ImageFolder.load(folder.url, options: ImageFolderOptions(skipBadFiles: true))
        }
        #expect(none?.reason.contains("none of the 6 image files") == true)
    }

    @Test(
        .enabled(
            if: FashionMNISTInstalledTests.installed,
            "Fashion-MNIST is not installed: apt-get install dataset-fashion-mnist"))
    func fashionMNISTAsPNGsLoadsAsTheIDXFiles() throws {
        let count = 200
        let idx = try FashionMNIST.load(split: .train, mean: 0, standardDeviation: 1)
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        for i in 0..<count {
            let levels = idx.inputs.row(i).map { UInt8(($0 * 255).rounded()) }
            let png = try ImageEncoder.png(width: 28, height: 28, channels: 1, pixels: levels)
            try put(png, "\(idx.labels[i])/\(String(format: "%05d", i)).png", in: folder)
        }
        #expect(Set(idx.labels[..<count]) == Set(0..<10), "the first \(count) images hold every class")
        let loaded = try ImageFolder.load(folder.url)
        #expect(loaded.classNames == (0..<10).map(String.init))
        #expect(loaded.dataset.inputs.shape == [count, 1, 28, 28])
        let rows = loaded.files.map { Int(($0 as NSString).lastPathComponent.prefix(5)) ?? -1 }
        #expect(rows.sorted() == Array(0..<count))
        #expect(loaded.dataset.labels == rows.map { idx.labels[$0] })
        var expected: [Float] = []
        for row in rows { expected += idx.inputs.row(row) }
        #expect(loaded.dataset.inputs.scalars == expected)
    }
}
