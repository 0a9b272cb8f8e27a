import TripletCore
import TripletEvaluation

/// The computations behind the charts: a seeded subsample, its PCA projection, verification pairs with
/// their ROC, and the nearest neighbours of a few queries.
struct ReportAnalysis {
    /// The subsample's indices into the evaluation set, in random order.
    var sample: [Int] = []
    /// The subsample on its first two principal components (empty with fewer than two samples).
    var projection: [[Double]] = []
    /// The fraction of the variance on each of those components.
    var explained: [Double] = []
    /// The verification pairs of the subsample with their ROC; nil without same-class or without
    /// different-class pairs.
    var verification: ReportVerification?
    /// The neighbour grid.
    var neighborRows: [NeighborGridChart.Row] = []

    init(_ content: ReportContent, options: ReportOptions) throws {
        let count = content.labels.count
        var generator = SeededGenerator(seed: options.seed)
        sample = Array(Array(0..<count).shuffled(using: &generator).prefix(options.samples))
        let embeddings = try content.embeddings.rows(sample)
        let labels = sample.map { content.labels[$0] }
        if sample.count >= 2 {
            let pca = try PrincipalComponents(fitting: embeddings, count: min(2, embeddings.rowWidth))
            projection = try pca.project(embeddings).map { $0.count == 2 ? $0 : [$0[0], 0] }
            explained = pca.explainedFractions
        }
        verification = try ReportVerification(embeddings: embeddings, labels: labels, seed: options.seed &+ 1)
        neighborRows = try Self.neighbors(content, options: options)
    }

    /// `options.queries` queries — one per class first, in class order — each with its nearest neighbours
    /// among the other rows.
    static func neighbors(_ content: ReportContent, options: ReportOptions) throws -> [NeighborGridChart.Row] {
        let count = content.labels.count
        guard options.queries > 0, count >= 2 else { return [] }
        var generator = SeededGenerator(seed: options.seed &+ 2)
        let order = Array(0..<count).shuffled(using: &generator)
        var firstOfClass: [Int: Int] = [:]
        for i in order where firstOfClass[content.labels[i]] == nil { firstOfClass[content.labels[i]] = i }
        var queries = Array(firstOfClass.sorted { $0.key < $1.key }.map(\.value).prefix(options.queries))
        let chosen = Set(queries)
        queries += order.filter { !chosen.contains($0) }.prefix(options.queries - queries.count)
        let k = min(options.neighbors + 1, count)
        let found = try ExactKNN.search(
            queries: try content.embeddings.rows(queries), references: content.embeddings, k: k,
            threads: options.threads)
        return queries.enumerated().map { q, query in
            let neighbors = (0..<k).map {
                (index: Int(found.indices[q * k + $0]), distance: found.distances[q * k + $0])
            }
            .filter { $0.index != query }
            return NeighborGridChart.Row(query: query, neighbors: Array(neighbors.prefix(options.neighbors)))
        }
    }
}
