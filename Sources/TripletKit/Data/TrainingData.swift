import Foundation
import TripletCore
import TripletData

/// How a run's samples are split into what it trains on and what it is evaluated on.
public enum ClassSplit: Codable, Equatable, Sendable {
    /// Train on these classes; evaluate on the others (never trained on).
    case classes([Int])
    /// The protocol of deep metric learning (CUB-200, Cars-196, SOP): train on the first half of the
    /// classes (in label order), evaluate retrieval on the unseen second half.
    case firstHalf

    /// `[0, 1, 2]` for `.classes`, `"first_half"` for `.firstHalf`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let chosen = try? container.decode([Int].self) {
            self = .classes(chosen)
        } else if try container.decode(String.self) == "first_half" {
            self = .firstHalf
        } else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "a class split is a list of labels or \"first_half\"")
        }
    }

    /// `[0, 1, 2]` for `.classes`, `"first_half"` for `.firstHalf`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .classes(let chosen): try container.encode(chosen)
        case .firstHalf: try container.encode("first_half")
        }
    }

    /// The training classes among `classes` (sorted labels).
    func trainingClasses(of classes: [Int]) -> Set<Int> {
        switch self {
        case .classes(let chosen): return Set(chosen)
        case .firstHalf: return Set(classes.prefix(classes.count / 2))
        }
    }
}

/// The samples of a run: the training set, the evaluation set (nil: none) and the class names.
public struct TrainingData: Sendable {
    /// What the network trains on.
    public var train: Dataset
    /// What is ranked after each epoch (nil: no evaluation).
    public var evaluation: Dataset?
    /// Class names by label (may be empty).
    public var classNames: [String]
    /// The file of each training row, relative to the source folder (empty unless the source is a folder).
    public var files: [String]

    /// Data you have loaded yourself.
    public init(train: Dataset, evaluation: Dataset?, classNames: [String] = [], files: [String] = []) {
        self.train = train
        self.evaluation = evaluation
        self.classNames = classNames
        self.files = files
    }

    /// The data of a run: `source`'s training samples and, for evaluation, `evaluationSource`'s samples,
    /// else the source's test split (Fashion-MNIST), else none. With `split`, training keeps the chosen
    /// classes and evaluation the others; with `limit`, only the first `limit` samples of each set count.
    public static func load(
        _ source: DataSource, evaluationSource: DataSource? = nil, split: ClassSplit? = nil, limit: Int? = nil,
        threads: Int = Parallel.defaultThreads
    ) throws -> TrainingData {
        let loaded = try source.load(split: .train, threads: threads)
        var train = loaded.dataset
        var evaluation: Dataset?
        if let evaluationSource {
            evaluation = try evaluationSource.load(split: .test, threads: threads).dataset
        } else if source.hasTestSplit {
            evaluation = try source.load(split: .test, threads: threads).dataset
        }
        if let limit {
            guard limit >= 2 else {
                throw TripletError.invalidParameter(name: "sampleLimit", value: "\(limit)", expected: "at least 2")
            }
            train = try train.subset(Array(0..<min(limit, train.count)))
            evaluation = try evaluation.map { try $0.subset(Array(0..<min(limit, $0.count))) }
        }
        if let split {
            let chosen = split.trainingClasses(of: train.classes)
            // Evaluation: the other classes of the evaluation set, or of the training source itself.
            let heldOut = (evaluation ?? train).split(byClasses: chosen).rest
            train = train.split(byClasses: chosen).selected
            guard train.count > 0, heldOut.count > 0 else {
                throw TripletError.invalidParameter(
                    name: "trainClasses", value: "\(split)",
                    expected: "some but not all of the classes \(loaded.dataset.classes)")
            }
            evaluation = heldOut
        }
        // File names follow the rows only while the rows are the source's own.
        let files = limit == nil && split == nil ? loaded.files : Array(loaded.files.prefix(train.count))
        return TrainingData(
            train: train, evaluation: evaluation, classNames: loaded.classNames,
            files: split == nil ? files : [])
    }

    /// Standardises the training and evaluation inputs in place with `normalization`.
    public mutating func standardise(with normalization: ChannelNormalization) throws {
        try normalization.apply(to: &train.inputs)
        if let inputs = evaluation?.inputs { evaluation?.inputs = try normalization.applied(to: inputs) }
    }
}
