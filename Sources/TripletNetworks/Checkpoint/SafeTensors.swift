import Foundation
import TripletCore

/// The tensors and string metadata of a safetensors file, in the order of their data in the file.
public struct SafeTensorsFile: Sendable {
    /// Named tensors, in file order.
    public var tensors: [(String, Tensor)]
    /// The "__metadata__" entries.
    public var metadata: [String: String]

    /// A file's contents.
    public init(tensors: [(String, Tensor)], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
    }
}

/// Reads and writes the safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON
/// header `{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {string: string}}`,
/// then the raw little-endian data. Files written here load with Python's
/// `safetensors.torch.load_file`; reading accepts F32 and converts F64, F16, BF16 and integer dtypes to
/// Float (PyTorch's int64 `num_batches_tracked`, for example).
///
/// ```swift
/// try SafeTensors.write(net.stateDict(), metadata: ["epoch": "3"], to: url)
/// try net.load(stateDict: SafeTensors.read(from: url).tensors)
/// ```
public enum SafeTensors {
    /// The largest header the reader accepts (the Rust implementation's limit).
    public static let maximumHeaderSize = 100_000_000

    /// The file's bytes: tensors as F32 in the given order, the header padded with spaces so the data
    /// starts 8-byte aligned. Throws on a repeated or reserved ("__metadata__") name.
    public static func encode(_ tensors: [(String, Tensor)], metadata: [String: String] = [:]) throws -> Data {
        var names = Set<String>()
        var entries: [String] = []
        var offset = 0
        for (name, tensor) in tensors {
            guard name != "__metadata__", names.insert(name).inserted else {
                throw TripletError.invalidParameter(
                    name: "tensor name", value: "\"\(name)\"", expected: "unique names other than __metadata__")
            }
            let bytes = tensor.scalars.count * 4
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            entries.append(
                "\(jsonString(name)):{\"dtype\":\"F32\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(offset + bytes)]}"
            )
            offset += bytes
        }
        if !metadata.isEmpty {
            let pairs = metadata.sorted { $0.key < $1.key }.map { "\(jsonString($0.key)):\(jsonString($0.value))" }
            entries.insert("\"__metadata__\":{\(pairs.joined(separator: ","))}", at: 0)
        }
        var header = Array("{\(entries.joined(separator: ","))}".utf8)
        header += [UInt8](repeating: 0x20, count: (8 - header.count % 8) % 8)
        var data = Data(capacity: 8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: header)
        for (_, tensor) in tensors {
            tensor.scalars.withUnsafeBufferPointer { scalars in
                #if _endian(little)
                    data.append(UnsafeBufferPointer(start: scalars.baseAddress, count: scalars.count))
                #else
                    for x in scalars { withUnsafeBytes(of: x.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
                #endif
            }
        }
        return data
    }

    /// Writes `tensors` to `url` atomically: a temporary file in the same folder, flushed, then renamed.
    public static func write(_ tensors: [(String, Tensor)], metadata: [String: String] = [:], to url: URL) throws {
        let data = try encode(tensors, metadata: metadata)
        let folder = url.deletingLastPathComponent()
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        do {
            try data.write(to: temporary)
            let handle = try FileHandle(forWritingTo: temporary)
            try handle.synchronize()
            try handle.close()
            guard rename(temporary.path, url.path) == 0 else {
                throw TripletError.invalidParameter(
                    name: "path", value: url.path,
                    expected: "a writable location (rename failed: \(String(cString: strerror(errno))))")
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            if let error = error as? TripletError { throw error }
            throw TripletError.invalidParameter(
                name: "path", value: url.path, expected: "a writable location (\(error.localizedDescription))")
        }
    }

    /// Reads and validates the file at `url`.
    public static func read(from url: URL) throws -> SafeTensorsFile {
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            throw TripletError.corruptFile(
                path: url.path, reason: "the file cannot be opened (\(error.localizedDescription))")
        }
        return try decode(data, path: url.path)
    }

    /// Parses and validates a file's bytes; errors name `path` and what is wrong: a file shorter than its
    /// header, a header length past the end, JSON that is not a header, an unknown dtype, a bad shape,
    /// offsets out of range, overlapping or leaving gaps, or a shape whose size differs from its bytes.
    public static func decode(_ data: Data, path: String = "<memory>") throws -> SafeTensorsFile {
        func corrupt(_ reason: String) -> TripletError { .corruptFile(path: path, reason: reason) }
        guard data.count >= 8 else {
            throw corrupt("truncated: \(data.count) bytes, fewer than the 8-byte header length")
        }
        let headerSize = data.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard headerSize <= UInt64(maximumHeaderSize) else {
            throw corrupt("header length \(headerSize) is over the limit of \(maximumHeaderSize) bytes")
        }
        guard 8 + Int(headerSize) <= data.count else {
            throw corrupt("header length \(headerSize) runs past the end of the file (\(data.count) bytes)")
        }
        let headerBytes = data.subdata(in: (data.startIndex + 8)..<(data.startIndex + 8 + Int(headerSize)))
        let header = try SafeTensorsHeader.parse(headerBytes, corrupt: corrupt)
        let bufferStart = 8 + Int(headerSize)
        let bufferSize = data.count - bufferStart
        var expectedBegin = 0
        var previous = "the header"
        var tensors: [(String, Tensor)] = []
        for entry in header.entries {
            let (begin, end) = entry.offsets
            guard begin <= end, end <= bufferSize else {
                throw corrupt(
                    "tensor \"\(entry.name)\": data_offsets [\(begin), \(end)] lie outside the \(bufferSize)-byte data")
            }
            guard begin >= expectedBegin else {
                throw corrupt("tensor \"\(entry.name)\" overlaps \(previous) (data_offsets [\(begin), \(end)])")
            }
            guard begin == expectedBegin else {
                throw corrupt(
                    "bytes \(expectedBegin)..<\(begin) of the data belong to no tensor (before \"\(entry.name)\")")
            }
            let (count, overflow) = entry.shape.reduce((1, false)) { acc, d in
                let (p, o) = acc.0.multipliedReportingOverflow(by: d)
                return (p, acc.1 || o)
            }
            guard !overflow, count.multipliedReportingOverflow(by: entry.dtype.size).partialValue == end - begin,
                count <= Int.max / entry.dtype.size
            else {
                throw corrupt(
                    "tensor \"\(entry.name)\": shape \(entry.shape) of \(entry.dtype.rawValue) needs a different byte count than its \(end - begin) bytes"
                )
            }
            let scalars = data.withUnsafeBytes { raw in
                entry.dtype.decode(
                    UnsafeRawBufferPointer(rebasing: raw[(bufferStart + begin)..<(bufferStart + end)]), count: count)
            }
            tensors.append((entry.name, try Tensor(shape: entry.shape, scalars: scalars)))
            expectedBegin = end
            previous = "\"\(entry.name)\""
        }
        guard expectedBegin == bufferSize else {
            throw corrupt("\(bufferSize - expectedBegin) bytes after the last tensor belong to no tensor")
        }
        return SafeTensorsFile(tensors: tensors, metadata: header.metadata)
    }

    /// A JSON string literal for `s`.
    static func jsonString(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
