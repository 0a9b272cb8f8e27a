import Foundation
import TripletData

extension DataSource {
    /// The class names of the source by label, without loading its samples: Fashion-MNIST's ten names, or
    /// the sub-folders of an image folder (non-hidden, sorted by code points, as `load` numbers them);
    /// empty for NPY and CSV sources, whose labels are numbers only.
    public func classNamesWithoutLoading() -> [String] {
        switch self {
        case .fashionMNIST: return FashionMNIST.classNames
        case .imageFolder(let path, _, _, _):
            let root = URL(fileURLWithPath: path)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
            return names.filter { name in
                var isFolder: ObjCBool = false
                return !name.hasPrefix(".")
                    && FileManager.default.fileExists(
                        atPath: root.appendingPathComponent(name).path, isDirectory: &isFolder)
                    && isFolder.boolValue
            }.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
        case .npy, .csv: return []
        }
    }
}
