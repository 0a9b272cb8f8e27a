import TripletCore

/// The contents of a `.npy` file: float elements as a tensor, integer (and boolean) elements as `Int`s.
public enum NPYArray: Sendable, Equatable {
    /// A floating-point array ('<f4', '<f8', …), converted to `Float`.
    case float(Tensor)
    /// An integer or boolean array ('<i8', '<i4', '|u1', '|b1', …), row-major.
    case integer(shape: [Int], values: [Int])

    /// The dimensions, outermost first (`[]` for a scalar).
    public var shape: [Int] {
        switch self {
        case .float(let tensor): return tensor.shape
        case .integer(let shape, _): return shape
        }
    }
}
