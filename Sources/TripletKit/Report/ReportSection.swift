/// The sections of a run report, in page order; each is a `<section id="…">` holding one inline SVG chart
/// whose id is `chartID`.
public enum ReportSection: String, CaseIterable, Sendable {
    /// Loss, active-triplet fraction, P@1 and MAP@R per epoch.
    case trainingCurves = "training-curves"
    /// The evaluation embeddings projected on their first two principal components, coloured by class.
    case embeddingMap = "embedding-map"
    /// The ROC curve of same-class against different-class pairs, with the equal-error point.
    case rocCurve = "roc-curve"
    /// Histograms of same-class and different-class pair distances.
    case distanceHistogram = "distance-histogram"
    /// Query images with their nearest neighbours among the other evaluation images.
    case nearestNeighbors = "nearest-neighbors"

    /// The id of the section's `<svg>` element.
    public var chartID: String { rawValue + "-chart" }
}
