import Foundation
import Testing

@testable import TripletCore
@testable import TripletData

/// A fresh folder under the system's temporary folder, removed by `remove()`.
struct TemporaryFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("TripletDataTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// Writes `bytes` to `name` in the folder and returns its URL.
    @discardableResult
    func write(_ bytes: [UInt8], to name: String) throws -> URL {
        let file = url.appendingPathComponent(name)
        try Data(bytes).write(to: file)
        return file
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// A gzip stream of `bytes` in stored (uncompressed) deflate blocks, with a correct CRC-32 and size.
func gzipStored(_ bytes: [UInt8]) -> [UInt8] {
    var out: [UInt8] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]
    var offset = 0
    repeat {
        let length = min(65535, bytes.count - offset)
        let final: UInt8 = offset + length == bytes.count ? 1 : 0
        out.append(final)
        out += littleEndian(UInt16(length)) + littleEndian(~UInt16(length))
        out += bytes[offset..<offset + length]
        offset += length
    } while offset < bytes.count
    return out + littleEndian(crc32(bytes)) + littleEndian(UInt32(truncatingIfNeeded: bytes.count))
}

/// The bytes of `value`, least significant first.
func littleEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
    withUnsafeBytes(of: value.littleEndian) { Array($0) }
}

/// The bytes of `value`, most significant first.
func bigEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
    withUnsafeBytes(of: value.bigEndian) { Array($0) }
}

/// CRC-32 (IEEE, reflected), as gzip's trailer uses.
func crc32(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 { crc = (crc >> 1) ^ (crc & 1 == 1 ? 0xEDB8_8320 : 0) }
    }
    return ~crc
}

/// An IDX file of unsigned bytes with the given shape and elements.
func idxBytes(shape: [Int], elements: [UInt8], type: UInt8 = 0x08) -> [UInt8] {
    [0, 0, type, UInt8(shape.count)] + shape.flatMap { bigEndian(UInt32($0)) } + elements
}

/// The `reason` of a `TripletError.corruptFile`, or nil for any other outcome.
func corruptReason(_ body: () throws -> Void) -> (path: String, reason: String)? {
    do {
        try body()
        return nil
    } catch let TripletError.corruptFile(path, reason) {
        return (path, reason)
    } catch {
        return nil
    }
}
