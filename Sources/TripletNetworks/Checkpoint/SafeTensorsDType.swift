import Foundation

/// The element types a safetensors file may declare, and how each converts to Float on reading.
enum SafeTensorsDType: String, CaseIterable {
    case f32 = "F32", f64 = "F64", f16 = "F16", bf16 = "BF16"
    case i64 = "I64", i32 = "I32", i16 = "I16", i8 = "I8", u8 = "U8", bool = "BOOL"

    /// Bytes per element.
    var size: Int {
        switch self {
        case .f64, .i64: 8
        case .f32, .i32: 4
        case .f16, .bf16, .i16: 2
        case .i8, .u8, .bool: 1
        }
    }

    /// Converts `count` little-endian elements at `bytes` to Float.
    func decode(_ bytes: UnsafeRawBufferPointer, count: Int) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { out, initialized in
            for i in 0..<count {
                let at = i * size
                switch self {
                case .f32:
                    out[i] = Float(
                        bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt32.self)))
                case .f64:
                    out[i] = Float(
                        Double(
                            bitPattern: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt64.self))))
                case .f16:
                    out[i] = Self.half(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt16.self)))
                case .bf16:
                    let bits = UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt16.self))
                    out[i] = Float(bitPattern: UInt32(bits) << 16)
                case .i64: out[i] = Float(Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: Int64.self)))
                case .i32: out[i] = Float(Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: Int32.self)))
                case .i16: out[i] = Float(Int16(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: Int16.self)))
                case .i8: out[i] = Float(bytes.load(fromByteOffset: at, as: Int8.self))
                case .u8: out[i] = Float(bytes[at])
                case .bool: out[i] = bytes[at] == 0 ? 0 : 1
                }
            }
            initialized = count
        }
    }

    /// An IEEE half-precision bit pattern as Float (subnormals, infinities and NaN included).
    private static func half(_ h: UInt16) -> Float {
        let sign: Float = h & 0x8000 == 0 ? 1 : -1
        let exponent = Int((h >> 10) & 0x1F), mantissa = Float(h & 0x3FF)
        switch exponent {
        case 0: return sign * mantissa * 0x1p-24
        case 31: return mantissa == 0 ? sign * .infinity : .nan
        default: return sign * (1 + mantissa / 1024) * Float(sign: .plus, exponent: exponent - 15, significand: 1)
        }
    }
}
