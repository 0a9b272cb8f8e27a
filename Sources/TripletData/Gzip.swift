import CZlib
import TripletCore

/// gzip decompression through zlib, streamed in fixed-size output chunks.
///
/// ```swift
/// if Gzip.isCompressed(bytes) { bytes = try Gzip.decompress(bytes, source: path) }
/// ```
///
/// Concatenated members (what `cat a.gz b.gz` makes) decompress to the concatenation of their contents.
public enum Gzip {
    /// Whether `bytes` start with the gzip magic number 1f 8b.
    public static func isCompressed<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Bool {
        var iterator = bytes.makeIterator()
        return iterator.next() == 0x1f && iterator.next() == 0x8b
    }

    /// The most a stream may expand to by default: 4 GiB (an IDX file of 5 million 28×28 images).
    public static let defaultLimit = 1 << 32

    /// The decompressed contents of a gzip stream. `source` names the file in errors:
    /// `TripletError.corruptFile` for a truncated stream, corrupt data (a bad header, block or checksum),
    /// bytes after the last member, or contents past `limit` bytes (a deflate stream expands up to 1 032
    /// times: a small hostile file must not fill the memory).
    public static func decompress(_ bytes: [UInt8], source: String, limit: Int = defaultLimit) throws -> [UInt8] {
        guard isCompressed(bytes) else {
            throw TripletError.corruptFile(path: source, reason: "not a gzip stream (no 1f 8b magic number)")
        }
        var output = [UInt8]()
        output.reserveCapacity(min(sizeHint(bytes), limit))
        var stream = z_stream()
        guard inflateInit2_(&stream, 16 + MAX_WBITS, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK
        else {
            throw TripletError.corruptFile(path: source, reason: "zlib could not start a gzip decoder")
        }
        defer { inflateEnd(&stream) }
        let chunkSize = 1 << 18
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        try bytes.withUnsafeBufferPointer { input in
            guard let base = input.baseAddress else { return }
            var consumed = 0
            while true {
                // Feed at most 1 GiB at a time (zlib counts input in 32 bits).
                let feed = min(input.count - consumed, 1 << 30)
                stream.next_in = UnsafeMutablePointer(mutating: base + consumed)
                stream.avail_in = UInt32(feed)
                var status: Int32 = Z_OK
                repeat {
                    let produced: Int = chunk.withUnsafeMutableBufferPointer { out in
                        stream.next_out = out.baseAddress
                        stream.avail_out = UInt32(chunkSize)
                        status = inflate(&stream, Z_NO_FLUSH)
                        return chunkSize - Int(stream.avail_out)
                    }
                    guard output.count + produced <= limit else {
                        throw TripletError.corruptFile(
                            path: source,
                            reason:
                                "expands past \(limit) bytes; gunzip it first if it really holds that much (plain files have no such limit)"
                        )
                    }
                    output.append(contentsOf: chunk[0..<produced])
                    if status == Z_STREAM_END { break }
                    guard status == Z_OK || status == Z_BUF_ERROR else {
                        throw TripletError.corruptFile(
                            path: source, reason: "corrupt gzip data (\(message(stream, status)))")
                    }
                } while stream.avail_out == 0 || (status == Z_OK && stream.avail_in > 0)
                consumed += feed - Int(stream.avail_in)
                if status == Z_STREAM_END {
                    let rest = input[consumed...]
                    if rest.isEmpty { return }
                    guard isCompressed(rest) else {
                        throw TripletError.corruptFile(
                            path: source, reason: "\(rest.count) bytes of trailing data after the gzip stream")
                    }
                    inflateReset(&stream)
                    continue
                }
                if consumed == input.count {
                    throw TripletError.corruptFile(
                        path: source,
                        reason: "truncated gzip stream: it ends after \(input.count) bytes, in the middle of the data")
                }
            }
        }
        return output
    }

    /// The uncompressed size the trailer announces (ISIZE, modulo 2³²), capped at what deflate's largest
    /// ratio allows, so that a corrupt trailer cannot make us reserve absurd amounts of memory.
    private static func sizeHint(_ bytes: [UInt8]) -> Int {
        guard bytes.count >= 18 else { return 0 }
        let isize = bytes.withUnsafeBytes { $0.littleEndianUInt32(at: bytes.count - 4) }
        return min(Int(isize), bytes.count * 1032 + 1024)
    }

    /// zlib's message for a failed call, or the status code when it has none.
    private static func message(_ stream: z_stream, _ status: Int32) -> String {
        if let text = stream.msg { return String(cString: text) }
        switch status {
        case Z_DATA_ERROR: return "invalid deflate data"
        case Z_MEM_ERROR: return "out of memory"
        case Z_NEED_DICT: return "needs a preset dictionary"
        default: return "zlib status \(status)"
        }
    }
}
