import Foundation
import TripletCore

/// A labelled dataset from two NumPy files: the samples (features [N, F] or images [N, C, H, W], any float
/// or integer dtype) and their labels ([N] or [N, 1], integers or integral floats).
///
/// ```swift
/// // np.save("x.npy", features.astype("float32")); np.save("y.npy", labels)
/// let data = try NPYFeatures.read(features: URL(fileURLWithPath: "x.npy"), labels: URL(fileURLWithPath: "y.npy"))
/// data.inputs.shape  // [N, F]
/// ```
public enum NPYFeatures {
    /// Reads the two files and checks them against each other.
    /// - Throws: `TripletError.corruptFile` naming the file when either is missing or not a valid `.npy`, when
    ///   the samples are not at least 2-D with N ≥ 1 and every other dimension ≥ 1, hold NaN or infinity, the
    ///   labels are not [N] or [N, 1] or not integral, or the counts of samples and labels differ.
    public static func read(features: URL, labels: URL) throws -> Dataset {
        let inputs = try NPY.readTensor(contentsOf: features)
        func corrupt(_ url: URL, _ reason: String) -> TripletError { .corruptFile(path: url.path, reason: reason) }
        guard inputs.shape.count >= 2 else {
            throw corrupt(
                features,
                "samples must be [N, F] or [N, C, H, W], the array has shape \(inputs.shape): save a single "
                    + "feature per sample as x.reshape(-1, 1)")
        }
        guard inputs.shape.allSatisfy({ $0 >= 1 }) else {
            throw corrupt(features, "the array has shape \(inputs.shape): no samples or no features")
        }
        if !inputs.allFinite, let bad = inputs.scalars.firstIndex(where: { !$0.isFinite }) {
            throw corrupt(
                features,
                "sample \(bad / inputs.rowWidth) holds \(inputs.scalars[bad]) at element \(bad % inputs.rowWidth)")
        }
        let values = try labelValues(labels)
        guard values.count == inputs.rowCount else {
            throw corrupt(
                labels,
                "\(values.count) labels for the \(inputs.rowCount) samples of \(features.path): pass one label per sample"
            )
        }
        return try Dataset(inputs: inputs, labels: values)
    }

    /// The labels in `url`: an [N] or [N, 1] array of integers, or of floats that are all whole numbers.
    static func labelValues(_ url: URL) throws -> [Int] {
        let array = try NPY.read(contentsOf: url)
        let shape = array.shape
        guard shape.count == 1 || (shape.count == 2 && shape[1] == 1) else {
            throw TripletError.corruptFile(
                path: url.path, reason: "labels must be [N] or [N, 1], the array has shape \(shape)")
        }
        switch array {
        case .integer(_, let values):
            return values
        case .float(let tensor):
            return try tensor.scalars.enumerated().map { i, value in
                guard value.rounded() == value, let label = Int(exactly: value) else {
                    throw TripletError.corruptFile(
                        path: url.path, reason: "label \(i) is \(value): labels must be whole numbers (class indices)")
                }
                return label
            }
        }
    }
}
