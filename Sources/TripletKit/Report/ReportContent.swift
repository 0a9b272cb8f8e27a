import TripletCore

/// What a run report draws: the per-epoch metrics, and the embeddings of an evaluation set with their
/// labels (and images, for the neighbour grid). `RunReport` fills it from a run folder; tests and other
/// callers can fill it directly and call `html(options:)`.
public struct ReportContent {
    /// The page title (the run's folder name).
    public var title: String
    /// Lines under the title (configuration, what was embedded).
    public var summary: [String]
    /// The metrics of each epoch.
    public var history: [EpochMetrics]
    /// Class names indexed by label; labels beyond it are shown as "class N".
    public var classNames: [String]
    /// The evaluation embeddings [N, D].
    public var embeddings: Tensor
    /// One label per embedding.
    public var labels: [Int]
    /// The evaluation inputs [N, C, H, W] (or [N, H, W]) shown in the neighbour grid; nil: no thumbnails.
    public var images: Tensor?

    /// A report's content; `html(options:)` checks it.
    public init(
        title: String, summary: [String] = [], history: [EpochMetrics], classNames: [String] = [],
        embeddings: Tensor, labels: [Int], images: Tensor? = nil
    ) {
        self.title = title
        self.summary = summary
        self.history = history
        self.classNames = classNames
        self.embeddings = embeddings
        self.labels = labels
        self.images = images
    }

    /// The name shown for `label`.
    func className(_ label: Int) -> String {
        classNames.indices.contains(label) ? classNames[label] : "class \(label)"
    }

    /// Throws `TripletError` for embeddings that are empty or not finite, or counts that differ.
    func validate() throws {
        try embeddings.validateEmbeddings()
        guard labels.count == embeddings.rowCount else {
            throw TripletError.labelCountMismatch(embeddings: embeddings.rowCount, labels: labels.count)
        }
        if let images, images.rowCount != labels.count {
            throw TripletError.shapeMismatch(expected: "\(labels.count) images, one per embedding", got: images.shape)
        }
    }
}
