/// The element type of an IDX file: the third byte of its magic number. Multi-byte types are big-endian.
public enum IDXDataType: UInt8, Sendable, CaseIterable {
    /// 0x08, unsigned byte: what MNIST and Fashion-MNIST use for images and labels.
    case uint8 = 0x08
    /// 0x09, signed byte.
    case int8 = 0x09
    /// 0x0B, 16-bit signed integer.
    case int16 = 0x0B
    /// 0x0C, 32-bit signed integer.
    case int32 = 0x0C
    /// 0x0D, 32-bit float.
    case float32 = 0x0D
    /// 0x0E, 64-bit float.
    case float64 = 0x0E

    /// The size of one element in bytes.
    public var byteCount: Int {
        switch self {
        case .uint8, .int8: return 1
        case .int16: return 2
        case .int32, .float32: return 4
        case .float64: return 8
        }
    }

    /// Whether the elements are integers (and so can be read as labels).
    public var isInteger: Bool { self != .float32 && self != .float64 }

    /// A readable name for messages.
    var name: String {
        switch self {
        case .uint8: return "unsigned bytes"
        case .int8: return "signed bytes"
        case .int16: return "16-bit integers"
        case .int32: return "32-bit integers"
        case .float32: return "32-bit floats"
        case .float64: return "64-bit floats"
        }
    }
}
