/// Every error a gallery can report, with a message that says what was wrong and what to do.
public enum GalleryError: Error, Equatable, CustomStringConvertible, Sendable {
    /// No identity has this name or id.
    case unknownIdentity(String)
    /// An identity with this name is already enrolled.
    case duplicateName(String)
    /// An embedding's width differs from the gallery's dimension.
    case wrongDimension(expected: Int, got: Int)
    /// An embedding holds NaN or infinity.
    case nonFiniteEmbedding(row: Int)
    /// The gallery was built with another model.
    case fingerprintMismatch(stored: String, given: String)
    /// The gallery was created with another dimension or metric than the caller asks for.
    case settingsMismatch(name: String, stored: String, given: String)
    /// The file is not a gallery (not SQLite, damaged, or missing its tables).
    case corruptFile(path: String, reason: String)
    /// `verify` needs a threshold: calibrate the gallery first.
    case notCalibrated
    /// An argument is outside the range the call accepts.
    case invalidParameter(name: String, value: String, expected: String)

    /// A readable form for messages and logs.
    public var description: String {
        switch self {
        case .unknownIdentity(let name):
            return "no identity \(name) in the gallery: enroll it first or check the name (list shows them)"
        case .duplicateName(let name):
            return "an identity named \(name) is already enrolled: pick another name or remove it first"
        case .wrongDimension(let expected, let got):
            return "embeddings of dimension \(got) for a gallery of dimension \(expected): use the gallery's model"
        case .nonFiniteEmbedding(let row):
            return "embedding row \(row) holds NaN or infinity: check the model and its input"
        case .fingerprintMismatch(let stored, let given):
            return
                "the gallery was built with model \(stored), not \(given): embeddings of another model cannot be compared"
        case .settingsMismatch(let name, let stored, let given):
            return "the gallery's \(name) is \(stored), not \(given): open it with its own settings"
        case .corruptFile(let path, let reason):
            return "\(path) is not a usable gallery: \(reason)"
        case .notCalibrated:
            return "the gallery has no threshold: call calibrate (or setCalibration) first"
        case .invalidParameter(let name, let value, let expected):
            return "invalid \(name) \(value): expected \(expected)"
        }
    }
}
