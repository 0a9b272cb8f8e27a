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
    /// Embeddings of another width than the store or model they go with.
    case dimensionMismatch(expected: Int, got: Int)
    /// A stored file was made by another model than the caller's (its fingerprint differs).
    case fingerprintMismatch(stored: String, given: String)
    /// A stored file was made with other settings (dimension, metric) than the caller asks for.
    case settingsMismatch(name: String, stored: String, given: String)
    /// No identity has this name.
    case unknownIdentity(String)
    /// An identity with this name exists already.
    case duplicateName(String)
    /// A threshold is needed and none was calibrated.
    case notCalibrated

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
                "\(what) holds NaN or infinity at row \(row), column \(column): check the inputs (in training, a diverging run: lower the learning rate)"
        case .invalidParameter(let name, let value, let expected):
            return "invalid \(name) \(value): expected \(expected)"
        case .indexOutOfRange(let what, let index, let count):
            return "\(what) index \(index) is out of range for a batch of \(count)"
        case .corruptFile(let path, let reason):
            return "cannot read \(path): \(reason)"
        case .dimensionMismatch(let expected, let got):
            return "embeddings of dimension \(got) where \(expected) is expected: use the embeddings of the same model"
        case .fingerprintMismatch(let stored, let given):
            return
                "the file was made with model \(stored), not \(given): embeddings of another model cannot be compared"
        case .settingsMismatch(let name, let stored, let given):
            return "the stored \(name) is \(stored), not \(given): open it with its own settings"
        case .unknownIdentity(let name):
            return "no identity \(name): enroll it first or check the name (list shows them)"
        case .duplicateName(let name):
            return "an identity named \(name) is already enrolled: pick another name or remove it first"
        case .notCalibrated:
            return "no threshold yet: calibrate (or setCalibration) first"
        }
    }
}
