import Foundation
import TripletCore

/// The class folders and image files of a torchvision-style image folder, in torchvision's order.
struct ImageFolderListing {
    /// Class names: the non-hidden sub-folders of the root, sorted by Unicode code points (as Python sorts).
    var classNames: [String]
    /// Image files relative to the root ("class/name.png", or "class/sub/name.png"), class after class.
    var files: [String]
    /// The label (index into `classNames`) of each file.
    var labels: [Int]

    /// File name extensions of images, compared in lower case.
    static let extensions = ["bmp", "gif", "jpeg", "jpg", "pgm", "png", "ppm"]

    /// Lists `root`. Throws `TripletError.invalidParameter` when it is missing or not a folder and
    /// `TripletError.corruptFile` when it has no class folder or a class folder holds no image.
    init(root: URL) throws {
        let manager = FileManager.default
        var isFolder: ObjCBool = false
        guard manager.fileExists(atPath: root.path, isDirectory: &isFolder) else {
            throw TripletError.invalidParameter(
                name: "image folder", value: root.path,
                expected: "an existing folder with one sub-folder of images per class (no such folder)")
        }
        guard isFolder.boolValue else {
            throw TripletError.invalidParameter(
                name: "image folder", value: root.path,
                expected: "a folder with one sub-folder of images per class, not a file")
        }
        let classes = try Self.entries(of: root).filter { Self.isFolder(root.appendingPathComponent($0)) }
        guard !classes.isEmpty else {
            throw TripletError.corruptFile(
                path: root.path,
                reason: "no class folders: expected ROOT/<class name>/<image files> (torchvision's ImageFolder layout)")
        }
        var files: [String] = []
        var labels: [Int] = []
        var empty: [String] = []
        for (label, name) in classes.enumerated() {
            let found = try Self.images(in: root.appendingPathComponent(name), prefix: name)
            if found.isEmpty { empty.append(name) }
            files += found
            labels += [Int](repeating: label, count: found.count)
        }
        guard empty.isEmpty else {
            throw TripletError.corruptFile(
                path: root.path,
                reason: "found no image file for the classes \(empty.joined(separator: ", ")): supported extensions "
                    + "are \(Self.extensions.map { "." + $0 }.joined(separator: " ")) (any case); add images or "
                    + "remove those folders")
        }
        self.classNames = classes
        self.files = files
        self.labels = labels
    }

    /// The image files under `folder` and its non-hidden sub-folders, as "prefix/…/name", ordered as
    /// torchvision orders them: folder by folder (sorted paths), names sorted within a folder.
    private static func images(in folder: URL, prefix: String) throws -> [String] {
        var byFolder: [(folder: String, names: [String])] = []
        var pending = [prefix]
        var visited = Set<String>()  // real paths: a link back up the tree is followed once only
        while let relative = pending.popLast() {
            let url = folder.deletingLastPathComponent().appendingPathComponent(relative)
            guard visited.insert(url.resolvingSymlinksInPath().path).inserted else { continue }
            var names: [String] = []
            for name in try entries(of: url) {
                let child = url.appendingPathComponent(name)
                if isFolder(child) {
                    pending.append(relative + "/" + name)
                } else if extensions.contains((name as NSString).pathExtension.lowercased()) {
                    names.append(name)
                }
            }
            byFolder.append((relative, names))
        }
        byFolder.sort { precedes($0.folder, $1.folder) }
        return byFolder.flatMap { entry in entry.names.map { entry.folder + "/" + $0 } }
    }

    /// The non-hidden names in `folder`, sorted by code points.
    private static func entries(of folder: URL) throws -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: folder.path)
                .filter { !$0.hasPrefix(".") }.sorted(by: precedes)
        } catch {
            throw TripletError.corruptFile(
                path: folder.path, reason: "cannot list the folder (\(error.localizedDescription))")
        }
    }

    /// Whether `url` is a folder (following symbolic links, as torchvision does).
    private static func isFolder(_ url: URL) -> Bool {
        var isFolder: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) && isFolder.boolValue
    }

    /// Python's string order: Unicode code point after code point.
    static func precedes(_ a: String, _ b: String) -> Bool {
        a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars)
    }
}
