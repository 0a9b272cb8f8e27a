import Foundation
import TripletCore

/// A labelled image dataset read from a folder laid out as torchvision's `ImageFolder` expects:
/// `ROOT/<class name>/<image files>`, decoded once, in parallel, into one [N, C, H, W] tensor.
///
/// ```swift
/// let folder = try ImageFolder.load(
///     URL(fileURLWithPath: "flowers"), options: ImageFolderOptions(size: ImageSize(width: 64, height: 64)))
/// folder.dataset.inputs.shape  // [N, 3, 64, 64], intensities in 0...1
/// folder.classNames            // ["daisy", "rose", "tulip"]: label i is classNames[i]
/// folder.files[0]              // "daisy/0001.jpg"
/// ```
///
/// As in torchvision: the classes are the sub-folders of ROOT sorted by name (Unicode code points), a label
/// is the index of its class in that order; files are taken from each class folder and its sub-folders,
/// sorted by name, with the extensions png, jpg, jpeg, bmp, gif, pgm and ppm in any case. Hidden files and
/// folders (names starting with ".") are ignored; other files are ignored too. A class folder without any
/// image is an error, as torchvision's "Found no valid file for the classes …"; a single class is allowed
/// (training needs two: check `classNames.count`).
public struct ImageFolder: Sendable {
    /// The images [N, C, H, W] (intensities in 0...1, not standardised) and their labels.
    public var dataset: Dataset
    /// The class names (sub-folder names), indexed by label.
    public var classNames: [String]
    /// The file of each row of `dataset`, relative to the root ("class/name.png").
    public var files: [String]
    /// The files skipped because `skipBadFiles` was set, with the reasons, in file order.
    public var skipped: [SkippedFile]

    /// The number of classes (sub-folders), whether or not each kept an image after skipping.
    public var classCount: Int { classNames.count }

    /// Lists and decodes the image folder at `root`.
    /// - Throws: `TripletError.invalidParameter` when `root` is missing or not a folder, `options.size` is not a
    ///   valid size, `options.threads` < 1, or the images differ in size while `options.size` is nil (naming
    ///   two files of different sizes); `TripletError.corruptFile` when `root` has no class folder, a class
    ///   folder has no image, every image was skipped, or (unless `options.skipBadFiles`) a file is unreadable,
    ///   damaged or truncated, naming it.
    public static func load(_ root: URL, options: ImageFolderOptions = ImageFolderOptions()) throws -> ImageFolder {
        if let size = options.size { try size.validate() }
        guard options.threads >= 1 else {
            throw TripletError.invalidParameter(name: "threads", value: "\(options.threads)", expected: "at least 1")
        }
        let listing = try ImageFolderListing(root: root)
        let urls = listing.files.map { root.appendingPathComponent($0) }
        var skipped: [Int: String] = [:]

        // Pass 1: every header, in parallel (a few bytes of each file).
        let headers = parallelMap(urls.count, threads: options.threads) { i in
            Result { try ImageDecoder.info(contentsOf: urls[i]) }
        }
        var infos: [ImageInfo?] = []
        infos.reserveCapacity(headers.count)
        for (i, header) in headers.enumerated() {
            switch header {
            case .success(let info): infos.append(info)
            case .failure(let error):
                guard options.skipBadFiles else { throw error }
                skipped[i] = reason(error)
                infos.append(nil)
            }
        }
        let kept = infos.indices.filter { infos[$0] != nil }
        guard let first = kept.first, let firstInfo = infos[first] else {
            throw TripletError.corruptFile(
                path: root.path, reason: "none of the \(urls.count) image files could be read (all were skipped)")
        }
        let size = options.size ?? firstInfo.size
        if options.size == nil,
            let other = kept.first(where: { infos[$0]?.size != size }), let otherInfo = infos[other]
        {
            throw TripletError.invalidParameter(
                name: "image size",
                value: "\(size) of \(listing.files[first]) and \(otherInfo.size) of \(listing.files[other])",
                expected:
                    "one size for every image: pass an image size to resize them all (ImageFolderOptions.size; triplet: --image-size)"
            )
        }
        let channels =
            options.channels == .automatic
            ? (kept.contains { infos[$0]?.hasColour == true } ? 3 : 1) : options.channels.count(for: firstInfo)
        guard let sampleSize = size.pixelCount.map({ $0 * channels }),
            case let (total, overflow) = sampleSize.multipliedReportingOverflow(by: kept.count), !overflow
        else {
            throw TripletError.invalidParameter(
                name: "image size", value: "\(size) × \(channels) channels × \(kept.count) images",
                expected: "a dataset that fits in memory")
        }

        // Pass 2: decode each kept file into its row of one buffer, in parallel.
        var pixels = [Float](repeating: 0, count: total)
        var failures = [String?](repeating: nil, count: kept.count)
        pixels.withUnsafeMutableBufferPointer { pixels in
            failures.withUnsafeMutableBufferPointer { failures in
                Parallel.forEachChunk(kept.count, threads: options.threads) { rows in
                    for row in rows {
                        let url = urls[kept[row]]
                        let slice = UnsafeMutableBufferPointer(
                            rebasing: pixels[row * sampleSize..<(row + 1) * sampleSize])
                        do {
                            try ImageDecoder.decode(
                                FileIO.readBytes(url), source: url.path, channels: channels, size: size,
                                resize: options.size != nil, into: slice)
                        } catch {
                            failures[row] = reason(error)
                        }
                    }
                }
            }
        }
        if let bad = failures.firstIndex(where: { $0 != nil }), !options.skipBadFiles {
            throw TripletError.corruptFile(path: urls[kept[bad]].path, reason: failures[bad] ?? "")
        }
        // Move the rows that decoded over those that did not.
        var rows: [Int] = []
        var written = 0
        pixels.withUnsafeMutableBufferPointer { pixels in
            for (row, failure) in failures.enumerated() {
                if let failure {
                    skipped[kept[row]] = failure
                    continue
                }
                if written != row, let base = pixels.baseAddress {
                    (base + written * sampleSize).update(from: base + row * sampleSize, count: sampleSize)
                }
                rows.append(kept[row])
                written += 1
            }
        }
        guard !rows.isEmpty else {
            throw TripletError.corruptFile(
                path: root.path, reason: "none of the \(urls.count) image files could be decoded (all were skipped)")
        }
        pixels.removeLast((kept.count - rows.count) * sampleSize)
        let inputs = try Tensor(shape: [rows.count, channels, size.height, size.width], scalars: pixels)
        return ImageFolder(
            dataset: try Dataset(inputs: inputs, labels: rows.map { listing.labels[$0] }),
            classNames: listing.classNames, files: rows.map { listing.files[$0] },
            skipped: skipped.keys.sorted().map { SkippedFile(path: listing.files[$0], reason: skipped[$0] ?? "") })
    }

    /// The supported file name extensions (compared in lower case).
    public static var extensions: [String] { ImageFolderListing.extensions }

    /// The reason of a decoding error, for `skipped`.
    private static func reason(_ error: Error) -> String {
        if case TripletError.corruptFile(_, let reason) = error { return reason }
        return "\(error)"
    }

    /// `body(i)` for every i in 0..<count, computed on up to `threads` threads, in order.
    private static func parallelMap<T>(_ count: Int, threads: Int, _ body: (Int) -> T) -> [T] {
        var results = [T?](repeating: nil, count: count)
        results.withUnsafeMutableBufferPointer { results in
            Parallel.forEachChunk(count, threads: threads) { range in
                for i in range { results[i] = body(i) }
            }
        }
        return results.compactMap { $0 }
    }
}
