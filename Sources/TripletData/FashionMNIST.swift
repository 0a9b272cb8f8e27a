import Foundation

/// Fashion-MNIST (Xiao et al. 2017): 28×28 grey images of 10 kinds of clothing, 60,000 for training and
/// 10,000 for testing.
///
/// ```swift
/// let train = try FashionMNIST.load(split: .train)  // inputs [60000, 1, 28, 28], labels 0...9
/// ```
///
/// The files come from Debian's `dataset-fashion-mnist` (`apt-get install dataset-fashion-mnist`, or
/// `make demo`), in `/usr/share/datasets/fashion-mnist`; the environment variable
/// `TRIPLETKIT_FASHION_MNIST` or the `directory` argument point elsewhere.
public enum FashionMNIST {
    /// The dataset's description: file names, default folder, class names, standardisation.
    public static let family = MNISTFamily.fashionMNIST

    /// The folder read by default: `$TRIPLETKIT_FASHION_MNIST` when set, else
    /// `/usr/share/datasets/fashion-mnist`.
    public static var defaultDirectory: URL { family.defaultDirectory }

    /// The ten class names, indexed by label (0 is "T-shirt/top", 9 is "Ankle boot").
    public static var classNames: [String] { family.classNames }

    /// Loads one split: inputs [N, 1, 28, 28] Float with `(x / 255 − mean) / standardDeviation`, labels
    /// 0...9. Throws `TripletError` when the folder is missing (saying how to install it) or a file is
    /// corrupt.
    public static func load(
        split: DataSplit, directory: URL = defaultDirectory, mean: Float = 0.2860, standardDeviation: Float = 0.3530
    ) throws -> Dataset {
        try family.load(split: split, directory: directory, mean: mean, standardDeviation: standardDeviation)
    }
}
