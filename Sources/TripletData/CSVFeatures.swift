import Foundation
import TripletCore

/// Numeric features and class labels read from a CSV file: one sample per row, every column but the label
/// column a feature.
///
/// ```swift
/// let iris = try CSVFeatures.read(contentsOf: URL(fileURLWithPath: "iris.csv"), label: .name("species"))
/// iris.dataset.inputs.shape  // [150, 4]
/// iris.classNames            // ["setosa", "versicolor", "virginica"]
/// ```
///
/// Labels that are all integers (or integral numbers such as `3.0`) are kept as they are; otherwise each
/// distinct text is a class, numbered in sorted order, and `classNames` lists them.
public struct CSVFeatures: Sendable {
    /// The samples: inputs [N, F] and one label per row.
    public var dataset: Dataset
    /// The feature columns' names: from the header, or "column i" (0-based, in the file) without one.
    public var featureNames: [String]
    /// The class names by label when the labels were text; nil when they were integers.
    public var classNames: [String]?

    /// Reads the CSV file at `url`. Throws `TripletError.corruptFile` naming the file and the line for a
    /// missing file, a non-numeric, empty or non-finite feature, a row with a different number of fields,
    /// an unclosed quote, or a file without data rows; `TripletError.invalidParameter` for a label column
    /// that the file does not have.
    public static func read(
        contentsOf url: URL, label: CSVLabelColumn = .last, header: CSVHeader = .automatic,
        delimiter: Character = ","
    ) throws -> CSVFeatures {
        try parse(FileIO.readBytes(url), source: url.path, label: label, header: header, delimiter: delimiter)
    }

    /// Parses CSV `bytes` (UTF-8); `source` names them in errors.
    public static func parse(
        _ bytes: [UInt8], source: String, label: CSVLabelColumn = .last, header: CSVHeader = .automatic,
        delimiter: Character = ","
    ) throws -> CSVFeatures {
        guard let separator = delimiter.asciiValue, delimiter != "\"", delimiter != "\n", delimiter != "\r" else {
            throw TripletError.invalidParameter(
                name: "delimiter", value: "\(delimiter.debugDescription)",
                expected: "one ASCII character such as , ; or a tab")
        }
        func corrupt(_ line: Int, _ message: String) -> TripletError {
            .corruptFile(path: source, reason: "line \(line): \(message)")
        }
        let rows: [CSVRows.Row]
        do {
            rows = try CSVRows.split(bytes, delimiter: separator)
        } catch {
            throw corrupt(error.line, error.message)
        }
        guard let first = rows.first else { throw TripletError.corruptFile(path: source, reason: "no rows") }
        let width = first.fields.count
        let hasHeader: Bool
        let labelIndex: Int
        switch label {
        case .last:
            labelIndex = width - 1
        case .index(let index):
            guard (0..<width).contains(index) else {
                throw TripletError.invalidParameter(
                    name: "label column", value: "\(index)", expected: "a column index in 0..<\(width) for \(source)")
            }
            labelIndex = index
        case .name(let name):
            guard header != .absent else {
                throw TripletError.invalidParameter(
                    name: "label column", value: "'\(name)'", expected: "an index: a name needs a header row")
            }
            guard let index = first.fields.firstIndex(of: name) else {
                throw TripletError.invalidParameter(
                    name: "label column", value: "'\(name)'",
                    expected: "one of the header's columns in \(source): \(first.fields.joined(separator: ", "))")
            }
            labelIndex = index
        }
        switch header {
        case .present: hasHeader = true
        case .absent: hasHeader = false
        case .automatic:
            if case .name = label {
                hasHeader = true
            } else {
                hasHeader = first.fields.indices.contains { $0 != labelIndex && Float(first.fields[$0]) == nil }
            }
        }
        guard width >= 2 else {
            throw corrupt(first.line, "one column only: a feature column and a label column are needed")
        }
        let dataRows = rows.dropFirst(hasHeader ? 1 : 0)
        guard !dataRows.isEmpty else { throw TripletError.corruptFile(path: source, reason: "no data rows") }
        let columnNames = hasHeader ? first.fields : (0..<width).map { "column \($0)" }

        var features: [Float] = []
        features.reserveCapacity(dataRows.count * (width - 1))
        var labelTexts: [String] = []
        labelTexts.reserveCapacity(dataRows.count)
        for row in dataRows {
            guard row.fields.count == width else {
                throw corrupt(
                    row.line, "\(row.fields.count) fields, expected \(width) (as on line \(first.line))")
            }
            for (column, field) in row.fields.enumerated() {
                if column == labelIndex {
                    guard !field.isEmpty else {
                        throw corrupt(row.line, "the label ('\(columnNames[column])') is empty")
                    }
                    labelTexts.append(field)
                    continue
                }
                guard let value = Float(field) else {
                    let problem = field.isEmpty ? "is empty" : "'\(field)' is not a number"
                    throw corrupt(row.line, "column \(column) ('\(columnNames[column])') \(problem)")
                }
                guard value.isFinite else {
                    throw corrupt(
                        row.line, "column \(column) ('\(columnNames[column])') '\(field)' is not a finite number")
                }
                features.append(value)
            }
        }
        let (labels, classNames) = numberLabels(labelTexts)
        let inputs = try Tensor(shape: [labels.count, width - 1], scalars: features)
        var names = columnNames
        names.remove(at: labelIndex)
        return CSVFeatures(
            dataset: try Dataset(inputs: inputs, labels: labels), featureNames: names, classNames: classNames)
    }

    /// Integer labels as they are; text labels numbered by their sorted order.
    private static func numberLabels(_ texts: [String]) -> ([Int], [String]?) {
        func integer(_ text: String) -> Int? {
            if let value = Int(text) { return value }
            guard let value = Double(text), value.rounded() == value else { return nil }
            return Int(exactly: value)
        }
        let integers = texts.compactMap(integer)
        if integers.count == texts.count { return (integers, nil) }
        let names = Array(Set(texts)).sorted()
        let index = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
        return (texts.map { index[$0] ?? 0 }, names)
    }
}
