import Foundation
import TripletCore

/// Reads and writes NumPy's `.npy` files (format versions 1.0, 2.0 and 3.0): float arrays as `Tensor`s,
/// integer arrays as `[Int]`.
///
/// ```swift
/// try NPY.write(embeddings, to: URL(fileURLWithPath: "embeddings.npy"))   // '<f4', shape kept
/// try NPY.write(labels: labels, to: URL(fileURLWithPath: "labels.npy"))   // '<i8', 1-D
/// let e = try NPY.readTensor(contentsOf: URL(fileURLWithPath: "embeddings.npy"))
/// ```
///
/// `numpy.load` reads what this writes, and this reads what `numpy.save` writes for the dtypes
/// float32/64, int8–64, uint8–64 and bool, in C order. Writes are atomic: a temporary file in the same
/// folder, renamed over the target.
public enum NPY {
    /// The array in the `.npy` file at `url`. Throws `TripletError.corruptFile` naming the file for a missing
    /// file, a bad magic number or version, a malformed header, an unsupported dtype, Fortran order, or
    /// data whose length differs from what the header's shape needs.
    public static func read(contentsOf url: URL) throws -> NPYArray {
        try decode(FileIO.readBytes(url), source: url.path)
    }

    /// A float tensor from the file at `url`; integer arrays are converted to `Float`.
    public static func readTensor(contentsOf url: URL) throws -> Tensor {
        switch try read(contentsOf: url) {
        case .float(let tensor): return tensor
        case .integer(let shape, let values): return try Tensor(shape: shape, scalars: values.map { Float($0) })
        }
    }

    /// A 1-D integer array (labels) from the file at `url`; throws for float arrays and other shapes.
    public static func readLabels(contentsOf url: URL) throws -> [Int] {
        switch try read(contentsOf: url) {
        case .integer(let shape, let values) where shape.count == 1: return values
        case .integer(let shape, _):
            throw TripletError.corruptFile(path: url.path, reason: "labels must be 1-D, the array has shape \(shape)")
        case .float:
            throw TripletError.corruptFile(path: url.path, reason: "labels must be integers, the array holds floats")
        }
    }

    /// Writes `tensor` as '<f4' with its shape, atomically.
    public static func write(_ tensor: Tensor, to url: URL) throws {
        try FileIO.writeAtomically(encode(tensor), to: url)
    }

    /// Writes `labels` as a 1-D '<i8' array, atomically.
    public static func write(labels: [Int], to url: URL) throws {
        try FileIO.writeAtomically(encode(integers: labels, shape: [labels.count]), to: url)
    }

    /// Writes `integers` as an '<i8' array of the given shape, atomically.
    public static func write(integers: [Int], shape: [Int], to url: URL) throws {
        try FileIO.writeAtomically(encode(integers: integers, shape: shape), to: url)
    }

    /// The `.npy` encoding of `tensor` ('<f4').
    public static func encode(_ tensor: Tensor) -> [UInt8] {
        var bytes = preamble(NPYHeader(descr: "<f4", fortranOrder: false, shape: tensor.shape))
        bytes.reserveCapacity(bytes.count + 4 * tensor.scalars.count)
        for value in tensor.scalars { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 } }
        return bytes
    }

    /// The `.npy` encoding of `integers` ('<i8') with the given shape; throws when the counts differ.
    public static func encode(integers: [Int], shape: [Int]) throws -> [UInt8] {
        guard shape.allSatisfy({ $0 >= 0 }), IDXArray.elementCount(shape) == integers.count else {
            throw TripletError.shapeMismatch(expected: "with \(integers.count) elements", got: shape)
        }
        var bytes = preamble(NPYHeader(descr: "<i8", fortranOrder: false, shape: shape))
        bytes.reserveCapacity(bytes.count + 8 * integers.count)
        for value in integers { withUnsafeBytes(of: Int64(value).littleEndian) { bytes += $0 } }
        return bytes
    }

    /// The array in `.npy` `bytes`; `source` names them in errors.
    public static func decode(_ bytes: [UInt8], source: String) throws -> NPYArray {
        func corrupt(_ reason: String) -> TripletError { .corruptFile(path: source, reason: reason) }
        let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)
        guard bytes.count >= 10 else {
            throw corrupt("\(bytes.count) bytes are too short for an NPY header (truncated)")
        }
        guard bytes.starts(with: magic) else {
            throw corrupt("bad magic number: an NPY file starts with \\x93NUMPY")
        }
        let major = bytes[6]
        guard (1...3).contains(major) else {
            throw corrupt("unsupported NPY format version \(major).\(bytes[7]): expected 1.0, 2.0 or 3.0")
        }
        let lengthSize = major == 1 ? 2 : 4
        guard bytes.count >= 8 + lengthSize else { throw corrupt("truncated header") }
        let headerLength = bytes.withUnsafeBytes {
            major == 1 ? Int($0.littleEndianUInt16(at: 8)) : Int($0.littleEndianUInt32(at: 8))
        }
        let dataStart = 8 + lengthSize + headerLength
        guard bytes.count >= dataStart else {
            throw corrupt(
                "truncated header: it announces \(headerLength) bytes, the file has \(bytes.count - 8 - lengthSize)")
        }
        let headerBytes = bytes[(8 + lengthSize)..<dataStart]
        guard major == 3 || headerBytes.allSatisfy({ $0 < 0x80 }) else { throw corrupt("the header is not ASCII") }
        let header: NPYHeader
        do {
            header = try NPYHeader(parsing: String(decoding: headerBytes, as: UTF8.self))
        } catch {
            throw corrupt("malformed header: \(error.message)")
        }
        guard let type = NPYDataType(descr: header.descr) else {
            throw corrupt("unsupported dtype '\(header.descr)': expected one of \(NPYDataType.supported)")
        }
        guard !header.fortranOrder else {
            throw corrupt("the array is in Fortran (column-major) order: save it with numpy.ascontiguousarray first")
        }
        guard let count = IDXArray.elementCount(header.shape),
            case let (needed, overflow) = count.multipliedReportingOverflow(by: type.size), !overflow
        else {
            throw corrupt("shape \(header.shape) is too large to hold in memory")
        }
        let available = bytes.count - dataStart
        guard available == needed else {
            let problem = available < needed ? "truncated data" : "\(available - needed) trailing bytes"
            throw corrupt(
                "\(problem): the header's shape \(header.shape) of '\(header.descr)' needs \(needed) bytes of data, "
                    + "the file has \(available)")
        }
        return try bytes.withUnsafeBytes { raw in
            let data = UnsafeRawBufferPointer(rebasing: raw[dataStart...])
            if type.kind == "f" {
                return .float(try Tensor(shape: header.shape, scalars: floats(data, type, count)))
            }
            return .integer(shape: header.shape, values: try integers(data, type, count, corrupt))
        }
    }

    /// Magic, version, header length and the header padded with spaces and a newline to a multiple of 64
    /// bytes, as NumPy writes it (version 2.0 only when the header outgrows 65,535 bytes).
    private static func preamble(_ header: NPYHeader) -> [UInt8] {
        let text = Array(header.text.utf8)
        let version: UInt8 = text.count + 1 + 10 > 65535 ? 2 : 1
        let fixed = version == 1 ? 10 : 12
        let padded = (fixed + text.count + 1 + 63) / 64 * 64 - fixed
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [version, 0]
        bytes += version == 1 ? littleEndianBytes(UInt16(padded)) : littleEndianBytes(UInt32(padded))
        bytes += text + [UInt8](repeating: 0x20, count: padded - text.count - 1) + [0x0a]
        return bytes
    }

    private static func littleEndianBytes<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }

    /// Float elements converted to `Float`.
    private static func floats(_ data: UnsafeRawBufferPointer, _ type: NPYDataType, _ count: Int) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { out, initialized in
            if type.size == 4 {
                for i in 0..<count {
                    let bits = data.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)
                    out[i] = Float(bitPattern: type.bigEndian ? UInt32(bigEndian: bits) : UInt32(littleEndian: bits))
                }
            } else {
                for i in 0..<count {
                    let bits = data.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)
                    out[i] = Float(
                        Double(bitPattern: type.bigEndian ? UInt64(bigEndian: bits) : UInt64(littleEndian: bits)))
                }
            }
            initialized = count
        }
    }

    /// Integer and boolean elements as `Int`; throws when an unsigned 64-bit value exceeds `Int.max`.
    private static func integers(
        _ data: UnsafeRawBufferPointer, _ type: NPYDataType, _ count: Int, _ corrupt: (String) -> TripletError
    ) throws -> [Int] {
        func load<T: FixedWidthInteger>(_: T.Type, _ i: Int) -> T {
            let value = data.loadUnaligned(fromByteOffset: i * MemoryLayout<T>.size, as: T.self)
            return type.bigEndian ? T(bigEndian: value) : T(littleEndian: value)
        }
        var values = [Int](repeating: 0, count: count)
        for i in 0..<count {
            switch (type.kind, type.size) {
            case ("i", 1): values[i] = Int(load(Int8.self, i))
            case ("i", 2): values[i] = Int(load(Int16.self, i))
            case ("i", 4): values[i] = Int(load(Int32.self, i))
            case ("i", _): values[i] = Int(load(Int64.self, i))
            case ("u", 1), ("b", _): values[i] = Int(load(UInt8.self, i))
            case ("u", 2): values[i] = Int(load(UInt16.self, i))
            case ("u", 4): values[i] = Int(load(UInt32.self, i))
            default:
                let value = load(UInt64.self, i)
                guard let exact = Int(exactly: value) else {
                    throw corrupt("element \(i) (\(value)) does not fit in Int")
                }
                values[i] = exact
            }
        }
        return values
    }
}
