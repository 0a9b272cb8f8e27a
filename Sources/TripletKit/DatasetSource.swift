import Foundation
import TripletCore
import TripletData

/// A named dataset the command-line tool can load.
public struct DatasetSource {
    /// The dataset's name ("fashion-mnist").
    public let name: String
    /// Where its files are (nil: the default place).
    public let directory: String?

    /// A source; the name is checked when loading.
    public init(name: String, directory: String? = nil) {
        self.name = name
        self.directory = directory
    }

    /// One split of the dataset.
    public func load(_ split: DataSplit) throws -> Dataset {
        switch name {
        case "fashion-mnist":
            let folder = directory.map { URL(fileURLWithPath: $0) } ?? FashionMNIST.defaultDirectory
            return try FashionMNIST.load(split: split, directory: folder)
        default:
            throw TripletError.invalidParameter(name: "--dataset", value: name, expected: "fashion-mnist")
        }
    }

    /// The training set and the evaluation set: the train and test splits, or — with `trainClasses` — the
    /// train split's samples of those classes and the test split's samples of the other classes; with
    /// `limit`, only the first `limit` samples of each split.
    public func trainingPair(_ trainClasses: [Int]?, limit: Int? = nil) throws -> (train: Dataset, evaluation: Dataset)
    {
        var train = try load(.train), test = try load(.test)
        if let limit {
            train = try train.subset(Array(0..<min(limit, train.count)))
            test = try test.subset(Array(0..<min(limit, test.count)))
        }
        guard let trainClasses else { return (train, test) }
        let chosen = Set(trainClasses)
        let selected = train.split(byClasses: chosen).selected
        let heldOut = test.split(byClasses: chosen).rest
        guard selected.count > 0, heldOut.count > 0 else {
            throw TripletError.invalidParameter(
                name: "--train-classes", value: "\(trainClasses)",
                expected: "some but not all of the classes \(train.classes)")
        }
        return (selected, heldOut)
    }
}
