import TripletCore

/// The contents of an IDX file: an element type, a shape, and the elements' raw big-endian bytes in
/// row-major order.
public struct IDXArray: Sendable, Equatable {
    /// The element type.
    public let dataType: IDXDataType
    /// The dimensions, outermost first.
    public let shape: [Int]
    /// The elements' bytes (big-endian for multi-byte types), `count · dataType.byteCount` of them.
    public let data: ArraySlice<UInt8>

    /// An array over `data`; throws unless `data` holds exactly the elements `shape` calls for.
    public init(dataType: IDXDataType, shape: [Int], data: ArraySlice<UInt8>) throws {
        guard let count = IDXArray.elementCount(shape) else {
            throw TripletError.invalidParameter(
                name: "IDX shape", value: "\(shape)", expected: "non-negative dimensions whose product fits in Int")
        }
        guard data.count == count * dataType.byteCount else {
            throw TripletError.shapeMismatch(
                expected: "with \(data.count / dataType.byteCount) elements of \(dataType.name)", got: shape)
        }
        self.dataType = dataType
        self.shape = shape
        self.data = data
    }

    /// The number of elements (the product of `shape`).
    public var count: Int { shape.reduce(1, *) }

    /// Every element converted to `Float` (exact for bytes and 16-bit integers).
    public func floats() -> [Float] {
        data.withUnsafeBytes { raw in
            [Float](unsafeUninitializedCapacity: count) { out, initialized in
                switch dataType {
                case .uint8: for i in 0..<count { out[i] = Float(raw[i]) }
                case .int8: for i in 0..<count { out[i] = Float(Int8(bitPattern: raw[i])) }
                case .int16:
                    for i in 0..<count {
                        out[i] = Float(Int16(bigEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self)))
                    }
                case .int32:
                    for i in 0..<count {
                        out[i] = Float(Int32(bigEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self)))
                    }
                case .float32:
                    for i in 0..<count {
                        out[i] = Float(bitPattern: raw.bigEndianUInt32(at: 4 * i))
                    }
                case .float64:
                    for i in 0..<count {
                        let bits = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))
                        out[i] = Float(Double(bitPattern: bits))
                    }
                }
                initialized = count
            }
        }
    }

    /// The elements as a tensor of the same shape.
    public func tensor() throws -> Tensor { try Tensor(shape: shape, scalars: floats()) }

    /// Every element as an `Int`; throws for float types (labels must be integers).
    public func integers() throws -> [Int] {
        guard dataType.isInteger else {
            throw TripletError.invalidParameter(
                name: "IDX data type", value: "\(dataType.name)", expected: "an integer type for labels")
        }
        return data.withUnsafeBytes { raw in
            (0..<count).map { i in
                switch dataType {
                case .uint8: return Int(raw[i])
                case .int8: return Int(Int8(bitPattern: raw[i]))
                case .int16: return Int(Int16(bigEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self)))
                default: return Int(Int32(bigEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self)))
                }
            }
        }
    }

    /// The product of `shape`, or nil when a dimension is negative or the product overflows.
    static func elementCount(_ shape: [Int]) -> Int? {
        var count = 1
        for dimension in shape {
            guard dimension >= 0 else { return nil }
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow else { return nil }
            count = product
        }
        return count
    }
}
