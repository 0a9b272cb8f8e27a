/// Which of a dataset's published parts to load.
public enum DataSplit: String, Sendable, CaseIterable {
    /// The training part (60,000 images for the MNIST family).
    case train
    /// The test part (10,000 images for the MNIST family).
    case test
}
