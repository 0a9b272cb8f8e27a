import Foundation
import TripletCore

/// Reads and writes the IDX format of the MNIST family: a magic number `00 00 type ndim`, `ndim` big-endian
/// `UInt32` dimensions, then the elements in row-major order. Files may be gzip-compressed (detected by
/// the 1f 8b magic number, whatever the name).
///
/// ```swift
/// let images = try IDX.read(contentsOf: URL(fileURLWithPath: "train-images-idx3-ubyte.gz"))
/// images.shape  // [60000, 28, 28]
/// ```
public enum IDX {
    /// The array in the IDX file at `url`, plain or gzip-compressed. Throws `TripletError.corruptFile`
    /// naming the file for a missing file, a truncated or corrupt gzip stream, a bad magic number, an
    /// unsupported type, or data whose length differs from the product of the dimensions.
    public static func read(contentsOf url: URL) throws -> IDXArray {
        var bytes = try FileIO.readBytes(url)
        if Gzip.isCompressed(bytes) { bytes = try Gzip.decompress(bytes, source: url.path) }
        return try decode(bytes, source: url.path)
    }

    /// The array in uncompressed IDX `bytes`; `source` names them in errors.
    public static func decode(_ bytes: [UInt8], source: String) throws -> IDXArray {
        func corrupt(_ reason: String) -> TripletError { .corruptFile(path: source, reason: reason) }
        guard bytes.count >= 4 else {
            throw corrupt("\(bytes.count) bytes are too short for an IDX header (magic number 00 00 type ndim)")
        }
        guard bytes[0] == 0, bytes[1] == 0 else {
            let magic = bytes[0..<4].map { String(format: "%02x", $0) }.joined(separator: " ")
            throw corrupt("bad magic number \(magic): an IDX file starts with 00 00, a type byte and a dimension count")
        }
        guard let dataType = IDXDataType(rawValue: bytes[2]) else {
            throw corrupt(
                "unsupported IDX data type 0x\(String(format: "%02x", bytes[2])): expected 0x08 (unsigned byte), "
                    + "0x09 (signed byte), 0x0b (int16), 0x0c (int32), 0x0d (float32) or 0x0e (float64)")
        }
        let rank = Int(bytes[3])
        let headerSize = 4 + 4 * rank
        guard bytes.count >= headerSize else {
            throw corrupt("truncated header: \(rank) dimensions need \(headerSize) bytes, the file has \(bytes.count)")
        }
        let shape = bytes.withUnsafeBytes { raw in (0..<rank).map { Int(raw.bigEndianUInt32(at: 4 + 4 * $0)) } }
        guard let count = IDXArray.elementCount(shape),
            case let (needed, overflow) = count.multipliedReportingOverflow(by: dataType.byteCount), !overflow
        else {
            throw corrupt("dimensions \(shape) are too large to hold in memory")
        }
        let available = bytes.count - headerSize
        guard available >= needed else {
            throw corrupt(
                "truncated data: dimensions \(shape) of \(dataType.name) need \(needed) bytes, the file has \(available)"
            )
        }
        guard available == needed else {
            throw corrupt(
                "\(available - needed) trailing bytes after the \(needed) bytes that dimensions \(shape) of "
                    + "\(dataType.name) need")
        }
        return try IDXArray(dataType: dataType, shape: shape, data: bytes[headerSize...])
    }

    /// The IDX encoding of `array` (uncompressed). Throws when it has more than 255 dimensions or a
    /// dimension above `UInt32.max`, which the format cannot express.
    public static func encode(_ array: IDXArray) throws -> [UInt8] {
        guard array.shape.count <= 255, array.shape.allSatisfy({ $0 <= Int(UInt32.max) }) else {
            throw TripletError.invalidParameter(
                name: "IDX shape", value: "\(array.shape)", expected: "at most 255 dimensions, each below 2^32")
        }
        var bytes: [UInt8] = [0, 0, array.dataType.rawValue, UInt8(array.shape.count)]
        for dimension in array.shape {
            withUnsafeBytes(of: UInt32(dimension).bigEndian) { bytes.append(contentsOf: $0) }
        }
        bytes.append(contentsOf: array.data)
        return bytes
    }
}
