import Foundation
import TripletCore
import TripletData

/// The visual report of a training run: `RUN_DIR/report.html`, one self-contained page with the training
/// curves, a PCA map of the evaluation embeddings, the verification ROC with its equal error rate, the
/// pair-distance histograms and a grid of nearest neighbours (`ReportSection`).
///
/// ```swift
/// let page = try RunReport.write(runDirectory: URL(fileURLWithPath: "runs/convnet"))  // runs/convnet/report.html
/// ```
///
/// The embeddings are those of the run's model (`TrainedModel`) on the evaluation set of its training:
/// the test split of `config.dataset`, limited and class-split as the run's `--limit` and
/// `--train-classes` were.
public enum RunReport {
    /// The report's file name in the run folder.
    public static let fileName = "report.html"

    /// The report's content for the run in `runDirectory`: its history, its model's embeddings of
    /// `evaluation` (nil: the run's own evaluation set, loaded from its dataset) and the class names
    /// (nil: the dataset's, e.g. `FashionMNIST.classNames`, or "class N").
    /// - Throws: `TripletError.corruptFile` naming the folder or file that is missing or corrupt, or the
    ///   errors of loading the dataset and embedding it.
    public static func content(
        runDirectory: URL, options: ReportOptions = ReportOptions(), evaluation: Dataset? = nil,
        classNames: [String]? = nil
    ) throws -> ReportContent {
        try options.validate()
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: runDirectory.path, isDirectory: &isFolder), isFolder.boolValue
        else {
            throw TripletError.corruptFile(
                path: runDirectory.path, reason: "no such run folder (pass the --out folder of `triplet train`)")
        }
        let history = try RunHistory.load(from: runDirectory)
        let model = try TrainedModel(directory: runDirectory, threads: options.threads)
        let config = model.config
        let run = model.options
        let (data, sourceNames) =
            try evaluation.map { ($0, [String]()) } ?? evaluationSet(config, options: options)
        let embeddings = try model.embed(data.inputs)
        let names = classNames ?? sourceNames
        let which =
            evaluation != nil
            ? "the given evaluation set"
            : config?.split.map { "the classes outside \($0) (never trained on)" } ?? "the test split"
        let made =
            config.map { c in
                let margin = c.loss == .tripletMargin ? ", margin \(c.margin)" : ""
                let network = c.architecture == nil ? c.model.rawValue : "custom architecture"
                return "\(c.data.name) · \(network) · \(c.loss.rawValue) (miner \(c.miner.rawValue)\(margin)) · "
                    + "\(c.optimizer.rawValue) "
            } ?? ""
        let summary = [
            made + "lr \(run.learningRate) · batches of \(run.batchSize) = "
                + "\(run.classesPerBatch)×\(run.samplesPerClass) · \(history.count) epochs · seed \(run.seed)",
            "Evaluation: \(which), \(data.count) samples"
                + (config?.sampleLimit.map { " (--limit \($0))" } ?? "")
                + ", embedded by \(runDirectory.lastPathComponent)/model.safetensors into \(embeddings.rowWidth) "
                + "dimensions.",
        ]
        return ReportContent(
            title: runDirectory.standardizedFileURL.lastPathComponent, summary: summary, history: history,
            classNames: names, embeddings: embeddings, labels: data.labels, images: data.inputs)
    }

    /// Writes the report of the run in `runDirectory` atomically to `output` (nil:
    /// `runDirectory/report.html`) and returns where it went; see `content(runDirectory:…)`.
    @discardableResult
    public static func write(
        runDirectory: URL, options: ReportOptions = ReportOptions(), evaluation: Dataset? = nil,
        classNames: [String]? = nil, to output: URL? = nil
    ) throws -> URL {
        let page = try content(
            runDirectory: runDirectory, options: options, evaluation: evaluation, classNames: classNames
        ).html(options: options)
        let destination = output ?? runDirectory.appendingPathComponent(fileName)
        do {
            try Data(page.utf8).write(to: destination, options: .atomic)
        } catch {
            throw TripletError.invalidParameter(
                name: "report path", value: destination.path,
                expected: "a file that can be written (\(error.localizedDescription))")
        }
        return destination
    }

    /// The evaluation set of a run, as its training made it (`TrainingData.load`), and the class names;
    /// `options.dataDirectory` replaces the folder of Fashion-MNIST's files.
    static func evaluationSet(_ config: TrainingConfig?, options: ReportOptions) throws -> (Dataset, [String]) {
        guard let config else {
            throw TripletError.invalidParameter(
                name: "evaluation", value: "nil for a model trained without a TrainingConfig",
                expected: "an evaluation set: the model does not say which data it was trained on")
        }
        var source = config.data
        if case .fashionMNIST = source, let directory = options.dataDirectory {
            source = .fashionMNIST(directory: directory)
        }
        let data = try TrainingData.load(
            source, evaluationSource: config.evaluationData, split: config.split, limit: config.sampleLimit,
            threads: options.threads)
        guard let test = data.evaluation, test.count >= 2 else {
            throw TripletError.invalidParameter(
                name: "evaluation set", value: "\(data.evaluation?.count ?? 0) samples",
                expected: "at least 2 for a report")
        }
        return (test, data.classNames)
    }
}
