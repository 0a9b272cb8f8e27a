import Foundation
import TripletCore
import TripletData

/// The whole of `triplet fit-linear` as one call: dense features from a `DataSource` (samples of more than
/// one dimension are flattened), comparisons from a triplet file or drawn from the labels, one of the
/// linear learners, and a model folder that `TrainedModel` loads.
///
/// ```swift
/// let fit = LinearFit(learner: .relativeComparisons, source: .npy(features: "x.npy", labels: "y.npy"),
///                     c: 0.1, comparisons: 100_000, seed: 0)
/// let summary = try fit.run(to: URL(fileURLWithPath: "runs/sj"))
/// let model = try TrainedModel(directory: URL(fileURLWithPath: "runs/sj"))  // model.metric: .euclidean
/// ```
public struct LinearFit: Sendable {
    /// The learner.
    public var learner: LinearLearner
    /// Where the samples come from (raw features; no standardisation is applied or stored).
    public var source: DataSource
    /// A triplet file (`TripletList`: anchor, positive, negative per line) instead of drawing from labels.
    public var triplets: String?
    /// C: OASIS's aggressiveness, or the slack weight of the relative-comparison QP.
    public var c: Double
    /// Comparisons drawn from the labels (OASIS: its online steps); with `triplets`, OASIS passes over the
    /// file's comparisons in order until it has made this many steps (nil: one pass), and relative
    /// comparisons use the file as it is.
    public var comparisons: Int?
    /// Seed of the comparisons drawn from labels (and of the full variant's order).
    public var seed: UInt64
    /// The full variant's settings (see `LowRankRelativeComparisons`): rows of L (nil: D), passes and step.
    public var rank: Int?
    /// The full variant's passes over the comparisons.
    public var epochs: Int
    /// The full variant's step size.
    public var learningRate: Double

    /// A fit; see the properties.
    public init(
        learner: LinearLearner, source: DataSource, triplets: String? = nil, c: Double, comparisons: Int? = nil,
        seed: UInt64 = 0, rank: Int? = nil, epochs: Int = 5, learningRate: Double = 0.1
    ) {
        (self.learner, self.source, self.triplets, self.c, self.comparisons, self.seed) =
            (learner, source, triplets, c, comparisons, seed)
        (self.rank, self.epochs, self.learningRate) = (rank, epochs, learningRate)
    }

    /// Loads the data, learns, writes the model folder to `directory` and returns the summary.
    /// - Throws: `TripletError` for unreadable or non-finite data, a bad triplet file, labels that allow no
    ///   comparison, C or a count out of range, comparisons that teach nothing (OASIS: every one already
    ///   holds with margin 1 under W = I; relative comparisons: w = 0, no comparison can be satisfied), or
    ///   an OASIS similarity without a positive part.
    @discardableResult
    public func run(to directory: URL) throws -> LinearFitSummary {
        guard c.isFinite, c > 0 else {
            throw TripletError.invalidParameter(name: "C", value: "\(c)", expected: "a finite number above 0")
        }
        if let comparisons, comparisons < 1 {
            throw TripletError.invalidParameter(name: "comparisons", value: "\(comparisons)", expected: "at least 1")
        }
        let loaded = try source.load(split: .train)
        let inputs = loaded.dataset.inputs
        let features = try Tensor(shape: [inputs.rowCount, inputs.rowWidth], scalars: inputs.scalars)
        let list = try comparisonList(loaded)
        let start = Date()
        let labels = loaded.dataset.labels
        let (projection, metric, summary) =
            switch learner {
            case .oasis: try fitOASIS(features, list, labels: labels)
            case .relativeComparisons: try fitRelativeComparisons(features, list, labels: labels)
            case .relativeComparisonsFull: try fitFull(features, list, labels: labels)
            }
        var finished = summary
        finished.seconds = Date().timeIntervalSince(start)
        try LinearModelFolder.save(
            projection: projection, inputShape: Array(inputs.shape.dropFirst()), metric: metric, summary: finished,
            to: directory)
        return finished
    }

    /// The triplet file's comparisons, or nil to draw from the labels.
    private func comparisonList(_ loaded: DataSource.Loaded) throws -> [Comparison]? {
        guard let triplets else { return nil }
        return try TripletList.read(
            contentsOf: URL(fileURLWithPath: triplets), sampleCount: loaded.dataset.count,
            files: loaded.files.isEmpty ? nil : loaded.files
        ).map { Comparison($0.anchor, $0.positive, $0.negative) }
    }

    private func fitOASIS(
        _ features: Tensor, _ list: [Comparison]?, labels: [Int]
    ) throws -> (Tensor, KNNMetric, LinearFitSummary) {
        var oasis = try OASIS(dimension: features.rowWidth, aggressiveness: Float(c))
        let run: OASIS.Run
        if let list {
            let steps = comparisons ?? list.count
            run = try oasis.train(features: features, comparisons: (0..<steps).map { list[$0 % list.count] })
        } else {
            run = try oasis.train(features: features, labels: labels, steps: comparisons ?? 100_000, seed: seed)
        }
        guard run.updatedCount > 0 else {
            throw TripletError.invalidParameter(
                name: "comparisons",
                value: "all \(run.hinges.count) already hold with margin 1 under W = I"
                    + (run.skippedCount > 0 ? " or have a zero update" : ""),
                expected: "comparisons that the identity similarity violates (nothing to learn)")
        }
        let projection = try LinearProjection.psdFactor(of: oasis.weights, dimension: features.rowWidth)
        let summary = LinearFitSummary(
            learner: .oasis, c: c, comparisons: run.hinges.count, seed: list == nil ? seed : nil,
            objective: run.meanHinge, active: run.updatedCount, detail: Double(run.skippedCount),
            dimension: projection.shape[0], seconds: 0)
        return (projection, .dot, summary)
    }

    /// The file's comparisons, or `comparisons` drawn from the labels.
    private func chosen(_ list: [Comparison]?, labels: [Int]) throws -> [Comparison] {
        if let list { return list }
        var draw = try LabelComparisons(labels: labels, seed: seed)
        return draw.next(comparisons ?? 100_000)
    }

    private func fitFull(
        _ features: Tensor, _ list: [Comparison]?, labels: [Int]
    ) throws -> (Tensor, KNNMetric, LinearFitSummary) {
        let chosen = try chosen(list, labels: labels)
        let learner = try LowRankRelativeComparisons(
            c: c, rank: rank, epochs: epochs, learningRate: learningRate, seed: seed)
        let fitted = try learner.fit(features: features, comparisons: chosen)
        let projection = try Tensor(shape: [fitted.rank, features.rowWidth], scalars: fitted.projection)
        guard projection.allFinite else {
            throw TripletError.invalidParameter(
                name: "learningRate", value: "\(learningRate) (L diverged)", expected: "a smaller step size")
        }
        let summary = LinearFitSummary(
            learner: .relativeComparisonsFull, c: c, comparisons: chosen.count, seed: list == nil ? seed : nil,
            objective: fitted.meanHinge, active: 0, detail: 0, dimension: fitted.rank, seconds: 0)
        return (projection, .euclidean, summary)
    }

    private func fitRelativeComparisons(
        _ features: Tensor, _ list: [Comparison]?, labels: [Int]
    ) throws -> (Tensor, KNNMetric, LinearFitSummary) {
        let chosen = try chosen(list, labels: labels)
        let metric = try RelativeComparisons(c: c).fit(features: features, comparisons: chosen)
        guard metric.weights.contains(where: { $0 > 0 }) else {
            throw TripletError.invalidParameter(
                name: "comparisons", value: "none can be satisfied by a nonnegative diagonal metric (w = 0)",
                expected: "comparisons whose anchor is farther from the negative in some feature")
        }
        let summary = LinearFitSummary(
            learner: .relativeComparisons, c: c, comparisons: chosen.count, seed: list == nil ? seed : nil,
            objective: metric.objective, active: chosen.count - metric.violatedCount, detail: metric.dualityGap,
            dimension: features.rowWidth, seconds: 0)
        return (try LinearProjection.diagonal(metric.weights), .euclidean, summary)
    }
}
