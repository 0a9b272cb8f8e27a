import Foundation
import TripletCore

/// Explicit training triplets read from a text file: one `anchor,positive,negative` per line.
///
/// ```text
/// # anchor, positive, negative
/// 0, 5, 17
/// cat/001.png, cat/007.png, dog/003.png   # relative paths, as ImageFolder.files lists them
/// 001.png 007.png 003.png                 # bare file names when unique; whitespace also separates
/// ```
///
/// ```swift
/// let folder = try ImageFolder.load(URL(fileURLWithPath: "pets"))
/// let triplets = try TripletList.read(contentsOf: URL(fileURLWithPath: "triplets.csv"), folder: folder)
/// triplets[0]  // (anchor: 0, positive: 5, negative: 17): rows of folder.dataset
/// ```
///
/// An entry is a sample index (a row of the dataset, from 0) when it is a whole number, else a file:
/// a relative path from the file list, or a bare file name that exactly one file in the list has.
/// Fields are separated by commas, or by spaces and tabs on a line without a comma, and trimmed. Blank
/// lines are skipped, and `#` starts a comment at the beginning of a line or after a space or tab (so a
/// file name may contain `#`).
public enum TripletList {
    /// Reads the triplets in the file at `url` for the samples of an image folder: its files name them and,
    /// with `checkLabels`, each triplet's anchor must share its label with the positive and not with the
    /// negative.
    public static func read(
        contentsOf url: URL, folder: ImageFolder, checkLabels: Bool = true
    ) throws -> [(anchor: Int, positive: Int, negative: Int)] {
        try read(
            contentsOf: url, sampleCount: folder.dataset.count, files: folder.files,
            labels: checkLabels ? folder.dataset.labels : nil)
    }

    /// Reads the triplets in the file at `url` for a dataset of `sampleCount` samples, `files` naming them
    /// (one per sample, relative paths) when given; with `labels`, each triplet's anchor must share its label
    /// with the positive and not with the negative.
    /// - Throws: `TripletError.corruptFile` naming the file and the line for a line without three fields, an
    ///   index out of range, a file name not in `files` (or in it more than once as a bare name), a name when
    ///   no `files` were given, a triplet whose labels do not fit, or a file without triplets;
    ///   `TripletError.invalidParameter` when `files` or `labels` do not have `sampleCount` entries.
    public static func read(
        contentsOf url: URL, sampleCount: Int, files: [String]? = nil, labels: [Int]? = nil
    ) throws -> [(anchor: Int, positive: Int, negative: Int)] {
        try parse(
            FileIO.readBytes(url), source: url.path, sampleCount: sampleCount, files: files, labels: labels)
    }

    /// The triplets in a triplet file's `bytes` (UTF-8), as `read(contentsOf:sampleCount:files:labels:)`
    /// describes; `source` names the file in errors.
    public static func parse(
        _ bytes: [UInt8], source: String, sampleCount: Int, files: [String]? = nil, labels: [Int]? = nil
    ) throws -> [(anchor: Int, positive: Int, negative: Int)] {
        if let files, files.count != sampleCount {
            throw TripletError.invalidParameter(
                name: "files", value: "\(files.count) names", expected: "one per sample (\(sampleCount))")
        }
        if let labels, labels.count != sampleCount {
            throw TripletError.labelCountMismatch(embeddings: sampleCount, labels: labels.count)
        }
        let resolver = Resolver(files: files)
        var triplets: [(anchor: Int, positive: Int, negative: Int)] = []
        for (number, text) in String(decoding: bytes, as: UTF8.self).split(
            omittingEmptySubsequences: false, whereSeparator: \.isNewline
        ).enumerated() {
            func fail(_ reason: String) -> TripletError {
                .corruptFile(path: source, reason: "line \(number + 1): \(reason)")
            }
            let content = withoutComment(text)
            let trimmed = content.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            let fields =
                trimmed.contains(",")
                ? trimmed.split(separator: ",", omittingEmptySubsequences: false).map {
                    $0.trimmingCharacters(in: .whitespaces)
                }
                : trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard fields.count == 3 else {
                throw fail("\(fields.count) field(s), expected 3: anchor, positive, negative")
            }
            var indices: [Int] = []
            for (role, field) in zip(["anchor", "positive", "negative"], fields) {
                do {
                    indices.append(try resolver.index(of: field, sampleCount: sampleCount))
                } catch {
                    throw fail("the \(role) \(error.reason)")
                }
            }
            let (anchor, positive, negative) = (indices[0], indices[1], indices[2])
            if let labels {
                guard labels[anchor] == labels[positive] else {
                    throw fail(
                        "the anchor (sample \(anchor), label \(labels[anchor])) and the positive (sample \(positive), "
                            + "label \(labels[positive])) have different labels")
                }
                guard labels[anchor] != labels[negative] else {
                    throw fail(
                        "the anchor (sample \(anchor)) and the negative (sample \(negative)) have the same label "
                            + "\(labels[anchor])")
                }
            }
            triplets.append((anchor, positive, negative))
        }
        guard !triplets.isEmpty else {
            throw TripletError.corruptFile(
                path: source, reason: "no triplets: expected lines of anchor, positive, negative")
        }
        return triplets
    }

    /// `line` (split at "\n", "\r\n" or "\r") up to a `#` that starts it or follows a space or tab.
    private static func withoutComment(_ line: Substring) -> Substring {
        var previous: Character = " "
        for index in line.indices {
            let character = line[index]
            if character == "#", previous == " " || previous == "\t" { return line[..<index] }
            previous = character
        }
        return line
    }

    /// Turns a field into a sample index.
    private struct Resolver {
        var byPath: [String: Int] = [:]
        var byName: [String: [Int]] = [:]
        var hasFiles: Bool

        init(files: [String]?) {
            hasFiles = files != nil
            for (index, path) in (files ?? []).enumerated() {
                byPath[path] = index
                byName[(path as NSString).lastPathComponent, default: []].append(index)
            }
        }

        /// Why a field names no sample.
        struct Failure: Error {
            var reason: String
        }

        func index(of field: String, sampleCount: Int) throws(Failure) -> Int {
            guard !field.isEmpty else { throw Failure(reason: "is empty") }
            if field.allSatisfy(\.isASCII), field.allSatisfy({ $0.isNumber || $0 == "-" }),
                let index = Int(field)
            {
                guard (0..<sampleCount).contains(index) else {
                    throw Failure(reason: "index \(index) is out of range: the samples are 0..<\(sampleCount)")
                }
                return index
            }
            guard hasFiles else {
                throw Failure(
                    reason: "'\(field)' is not a sample index, and no file list was given to look names up in")
            }
            if let index = byPath[field] { return index }
            let matches = byName[field] ?? []
            switch matches.count {
            case 1: return matches[0]
            case 0: throw Failure(reason: "'\(field)' is no sample: neither a listed file nor a sample index")
            default:
                throw Failure(
                    reason: "'\(field)' is the name of \(matches.count) files: give its path (such as "
                        + "\(byPath.first { $0.value == matches[0] }?.key ?? field))")
            }
        }
    }
}
