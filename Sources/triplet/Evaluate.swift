import ArgumentParser
import Foundation
import TripletKit

/// `triplet evaluate`: the field's retrieval metrics for a model on a dataset split, or for saved embeddings.
struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print retrieval, clustering and verification metrics and write them as JSON.",
        discussion: """
            Every sample is a query against all the others (itself excluded), k = the largest class size − 1 \
            unless --k is given. With --coarse-groups (or a model trained with --loss ladder), graded relevance \
            (2 = same class, 1 = same group, 0 = other) adds NDCG@--ndcg-k (gain 2^rel − 1) and graded MAP \
            (the mean over thresholds 1 and 2 of the binary MAP over the whole ranking).

            Examples:
              triplet evaluate --model runs/convnet --dataset fashion-mnist --split test
              triplet evaluate --embeddings emb.npy --labels labels.npy --metric cosine \\
                --out metrics.json
            """
    )

    @Option(help: "A model folder written by `triplet train`.") var model: String?
    @OptionGroup var source: DataOptions
    @Option(help: "Split of fashion-mnist (with --model): train or test.") var split = "test"
    @Option(help: "Embeddings [N, D] (float NPY), instead of --model.") var embeddings: String?
    @Option(help: "Labels [N] (integer NPY), with --embeddings.") var labels: String?
    @Option(help: "Metric: euclidean, squaredEuclidean, cosine or dot (default: the model's, else euclidean).")
    var metric: String?
    @Option(help: "Neighbours ranked by the metrics (default: the largest class size − 1).") var k: Int?
    @Option(help: "K values of Recall@K, e.g. 1,2,4,8.") var recallAt = "1,2,4,8"
    @Option(help: "Where to write the metrics (default: MODEL/evaluation.json, or evaluation.json).") var out: String?
    @Option(help: "Threads.") var threads = 2
    @Option(help: "At most this many samples for the verification pairs (all same-class pairs grow as N²).")
    var verificationSamples = 2000
    @Option(help: "Seed of k-means and of the pair and sample draws.") var seed: UInt64 = 0
    @Option(help: "Coarse groups of the classes for NDCG and graded MAP, e.g. 0,2,4,6:5,7,9:1,3,8.")
    var coarseGroups: String?
    @Option(help: "The k of NDCG@k (with coarse groups).") var ndcgK = 10

    func run() throws {
        if let metric, KNNMetric(rawValue: metric) == nil {
            throw ValidationError("--metric \(metric): expected one of \(KNNMetric.allCases.map(\.rawValue))")
        }
        let ks = try recallAt.split(separator: ",").map { part -> Int in
            guard let value = Int(part.trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError("--recall-at \(recallAt): expected numbers like 1,2,4,8")
            }
            return value
        }
        let (e, y, modelGroups, modelMetric) = try inputs()
        let chosen = metric.flatMap(KNNMetric.init(rawValue:)) ?? modelMetric ?? .euclidean
        let scores = try RetrievalMetrics.compute(
            embeddings: e, labels: y, k: k.map { .count($0) } ?? .maxBinCount, recallAt: ks, metric: chosen,
            threads: threads)
        print(String(format: "precision@1         %.4f", scores.precisionAtOne))
        print(String(format: "R-precision         %.4f", scores.rPrecision))
        print(String(format: "MAP@R               %.4f", scores.mapAtR))
        print(String(format: "mean avg precision  %.4f", scores.meanAveragePrecision))
        print(String(format: "mean recip. rank    %.4f", scores.meanReciprocalRank))
        for r in scores.recallAtK { print(String(format: "Recall@%-3d          %.4f", r.k, r.recall)) }
        print(
            "\(scores.queryCount) queries (\(scores.excludedQueryCount) excluded: no other sample of their class), k = \(scores.k)"
        )
        let clustering = try ClusteringMetrics.evaluate(embeddings: e, labels: y, seed: seed, threads: threads)
        print(String(format: "NMI                 %.4f", clustering.nmi))
        print(String(format: "AMI                 %.4f", clustering.ami))
        let verification = try verify(e, y, metric: chosen)
        print(String(format: "ROC AUC             %.4f", verification.areaUnderCurve))
        print(String(format: "EER                 %.4f", verification.equalErrorRate))
        for t in verification.tarAtFAR {
            print(String(format: "TAR @ FAR %-8g  %.4f", t.falseAcceptRate, t.trueAcceptRate))
        }
        if let folds = verification.folds {
            print(String(format: "10-fold accuracy    %.4f ± %.4f", folds.mean, folds.standardDeviation))
        }
        let groups = try coarseGroups.map(LadderOptions.parseGroups) ?? modelGroups
        let graded = try groups.map { groups in
            try GradedRetrieval.compute(
                embeddings: e, fineLabels: y, coarseGroups: try LadderOptions(coarseGroups: groups).groupOfClass(),
                k: ndcgK, metric: chosen, threads: threads)
        }
        if let graded {
            print(String(format: "NDCG@%-3d            %.4f", graded.k, graded.ndcgAtK))
            print(String(format: "graded MAP          %.4f", graded.gradedMAP))
        }
        let destination = out ?? model.map { "\($0)/evaluation.json" } ?? "evaluation.json"
        let summary = EvaluationSummary(
            retrieval: scores, nmi: clustering.nmi, ami: clustering.ami, rocAUC: verification.areaUnderCurve,
            equalErrorRate: verification.equalErrorRate, tarAtFAR: verification.tarAtFAR,
            tenFoldAccuracy: verification.folds?.mean, graded: graded)
        try JSONFiles.write(summary, to: URL(fileURLWithPath: destination))
        print("wrote \(destination)")
    }

    /// Verification on the pairs of a seeded subsample.
    private func verify(_ e: Tensor, _ y: [Int], metric: KNNMetric) throws -> VerificationReport {
        var generator = SeededGenerator(seed: seed)
        let rows = Array(Array(0..<y.count).shuffled(using: &generator).prefix(max(2, verificationSamples))).sorted()
        let subset = try e.rows(rows), labels = rows.map { y[$0] }
        let pairs = try VerificationPairs.make(labels: labels, seed: seed)
        return try VerificationMetrics.evaluate(
            scores: try pairs.distances(subset, metric: metric), isSame: pairs.isSame)
    }

    /// What `evaluate` writes.
    struct EvaluationSummary: Encodable {
        let retrieval: RetrievalScores
        let nmi: Double
        let ami: Double
        let rocAUC: Double
        let equalErrorRate: Double
        let tarAtFAR: [TARAtFAR]
        let tenFoldAccuracy: Double?
        let graded: GradedRetrievalScores?

        /// Written by `JSONFiles` in snake_case: retrieval, nmi, ami, roc_auc, eer, tar_at_far,
        /// ten_fold_accuracy, graded (with coarse groups).
        enum CodingKeys: String, CodingKey {
            case retrieval, nmi, ami, tenFoldAccuracy, graded
            case rocAUC = "rocAuc"
            case equalErrorRate = "eer"
            case tarAtFAR = "tarAtFar"
        }
    }

    /// The embeddings, their labels, the coarse groups of a model trained with the ladder loss and the
    /// model's metric (nil for given embeddings).
    private func inputs() throws -> (Tensor, [Int], [[Int]]?, KNNMetric?) {
        if let embeddings {
            guard model == nil, let labels else {
                throw ValidationError("--embeddings needs --labels (and no --model)")
            }
            return (
                try NPY.readTensor(contentsOf: URL(fileURLWithPath: embeddings)),
                try NPY.readLabels(contentsOf: URL(fileURLWithPath: labels)), nil, nil
            )
        }
        guard let model, let which = DataSplit(rawValue: split) else {
            throw ValidationError(
                "give --model DIR (with --dataset and --split train|test) or --embeddings and --labels")
        }
        let trained = try TrainedModel(directory: URL(fileURLWithPath: model), threads: threads)
        let data = try source.source(model: trained).load(split: which, threads: threads).dataset
        return (try trained.embed(data.inputs), data.labels, trained.config?.ladder?.coarseGroups, trained.metric)
    }
}
