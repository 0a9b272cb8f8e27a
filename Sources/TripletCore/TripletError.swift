/// Every error a caller of TripletKit can cause, with a message that says what was wrong and what to do.
public enum TripletError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The batch has no samples.
    case emptyBatch
    /// The embeddings have zero columns.
    case zeroDimension
    /// A tensor has a shape the call cannot use.
    case shapeMismatch(expected: String, got: [Int])
    /// The number of labels differs from the number of embeddings.
    case labelCountMismatch(embeddings: Int, labels: Int)
    /// An input holds NaN or infinity.
    case nonFiniteValue(what: String, row: Int, column: Int)
    /// An option is outside the range the call accepts.
    case invalidParameter(name: String, value: String, expected: String)
    /// An index (of a triplet or a pair) points outside the batch.
    case indexOutOfRange(what: String, index: Int, count: Int)
    /// A file is missing, unreadable, or its contents are not what its format requires.
    case corruptFile(path: String, reason: String)

    /// A readable form for messages and logs.
    public var description: String {
        switch self {
        case .emptyBatch:
            return "the batch is empty: pass at least one embedding"
        case .zeroDimension:
            return "the embeddings have dimension 0: pass a [B, D] tensor with D >= 1"
        case .shapeMismatch(let expected, let got):
            return "expected a tensor of shape \(expected), got \(got)"
        case .labelCountMismatch(let embeddings, let labels):
            return "\(labels) labels for \(embeddings) embeddings: pass one label per embedding row"
        case .nonFiniteValue(let what, let row, let column):
            return
                "\(what) holds NaN or infinity at row \(row), column \(column): check the inputs or lower the learning rate"
        case .invalidParameter(let name, let value, let expected):
            return "invalid \(name) \(value): expected \(expected)"
        case .indexOutOfRange(let what, let index, let count):
            return "\(what) index \(index) is out of range for a batch of \(count)"
        case .corruptFile(let path, let reason):
            return "cannot read \(path): \(reason)"
        }
    }
}
