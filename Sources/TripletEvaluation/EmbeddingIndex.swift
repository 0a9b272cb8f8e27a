import Foundation
import TripletCore

/// A saved set of reference embeddings with their labels, searched by exact k-NN.
///
/// File format (little-endian): the 8 bytes `TKINDEX\0`, a UInt32 version (1), a UInt32 metric code
/// (0 euclidean, 1 squared Euclidean, 2 cosine, 3 dot), UInt64 count N, UInt64 dimension D, then N·D Float32
/// embeddings, N Int64 labels, and a UInt64 FNV-1a checksum of everything before it. Written atomically.
///
/// ```swift
/// let index = try EmbeddingIndex(embeddings: e, labels: y, metric: .cosine)
/// try index.write(to: URL(fileURLWithPath: "gallery.tkindex"))
/// let hits = try EmbeddingIndex(contentsOf: url).search(queries, k: 10)
/// ```
public struct EmbeddingIndex: Sendable {
    /// The reference embeddings [N, D].
    public let embeddings: Tensor
    /// One label per reference.
    public let labels: [Int]
    /// How queries are compared with the references.
    public let metric: KNNMetric

    static let magic = Array("TKINDEX\0".utf8)
    /// The file version this build writes and reads.
    public static let version: UInt32 = 1
    static let metrics: [KNNMetric] = [.euclidean, .squaredEuclidean, .cosine, .dot]

    /// An index of finite [N, D] embeddings with N labels.
    public init(embeddings: Tensor, labels: [Int], metric: KNNMetric = .euclidean) throws {
        try embeddings.validateEmbeddings()
        guard labels.count == embeddings.rowCount else {
            throw TripletError.labelCountMismatch(embeddings: embeddings.rowCount, labels: labels.count)
        }
        self.embeddings = embeddings
        self.labels = labels
        self.metric = metric
    }

    /// The k nearest references of every query row.
    public func search(_ queries: Tensor, k: Int, threads: Int = Parallel.defaultThreads) throws -> NearestNeighbors {
        try ExactKNN.search(queries: queries, references: embeddings, k: k, metric: metric, threads: threads)
    }

    /// The file's bytes.
    public func encoded() -> [UInt8] {
        var out = Self.magic
        append(Self.version, to: &out)
        append(UInt32(Self.metrics.firstIndex(of: metric)!), to: &out)
        append(UInt64(embeddings.rowCount), to: &out)
        append(UInt64(embeddings.rowWidth), to: &out)
        out.reserveCapacity(out.count + embeddings.scalars.count * 4 + labels.count * 8 + 8)
        for x in embeddings.scalars { append(x.bitPattern, to: &out) }
        for label in labels { append(UInt64(bitPattern: Int64(label)), to: &out) }
        append(Self.checksum(out[...]), to: &out)
        return out
    }

    /// Writes the index atomically (a temporary file in the same folder, then a rename).
    public func write(to url: URL) throws {
        do {
            try Data(encoded()).write(to: url, options: .atomic)
        } catch {
            throw TripletError.corruptFile(path: url.path, reason: "cannot be written: \(error.localizedDescription)")
        }
    }

    /// Reads an index file; throws a clear error for another version, a truncated or corrupt file.
    public init(contentsOf url: URL) throws {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw TripletError.corruptFile(
                path: url.path, reason: "no such file (build one with `triplet index build`)")
        }
        try self.init(decoding: [UInt8](data), path: url.path)
    }

    /// Decodes the bytes of an index file; `path` names it in errors.
    public init(decoding bytes: [UInt8], path: String) throws {
        func fail(_ reason: String) -> TripletError { .corruptFile(path: path, reason: reason) }
        let header = 8 + 4 + 4 + 8 + 8
        guard bytes.count >= header, Array(bytes[0..<8]) == Self.magic else {
            throw fail("not a TripletKit index (the file does not start with TKINDEX)")
        }
        let version: UInt32 = Self.read(bytes, at: 8)
        guard version == Self.version else {
            throw fail(
                "index file version \(version); this build reads version \(Self.version): rebuild it with `triplet index build`"
            )
        }
        let code: UInt32 = Self.read(bytes, at: 12)
        guard Int(code) < Self.metrics.count else { throw fail("unknown metric code \(code)") }
        let n: UInt64 = Self.read(bytes, at: 16), d: UInt64 = Self.read(bytes, at: 24)
        guard n > 0, d > 0, n < 1 << 40, d < 1 << 24 else { throw fail("implausible size \(n) × \(d)") }
        let count = Int(n), width = Int(d)
        // Each reference takes 4·D + 8 bytes: a count the file cannot hold is refused before any product overflows.
        guard count <= (bytes.count - header) / (width * 4 + 8) else {
            throw fail(
                "truncated: \(bytes.count) bytes cannot hold the \(count) × \(width) embeddings the header announces")
        }
        let expected = header + count * width * 4 + count * 8 + 8
        guard bytes.count == expected else {
            throw fail(
                bytes.count < expected
                    ? "truncated: \(bytes.count) bytes, \(expected) expected for \(count) × \(width)"
                    : "\(bytes.count - expected) unexpected trailing bytes")
        }
        let stored: UInt64 = Self.read(bytes, at: expected - 8)
        guard stored == Self.checksum(bytes[0..<(expected - 8)]) else {
            throw fail("checksum mismatch: the file is corrupt")
        }
        var scalars = [Float](repeating: 0, count: count * width)
        for i in scalars.indices { scalars[i] = Float(bitPattern: Self.read(bytes, at: header + 4 * i)) }
        let labelStart = header + count * width * 4
        let labels = (0..<count).map { i -> Int in
            Int(Int64(bitPattern: Self.read(bytes, at: labelStart + 8 * i) as UInt64))
        }
        do {
            try self.init(
                embeddings: try Tensor(shape: [count, width], scalars: scalars), labels: labels,
                metric: Self.metrics[Int(code)])
        } catch {
            throw fail("\(error)")
        }
    }

    private func append<T: FixedWidthInteger>(_ value: T, to out: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
    }

    private static func read<T: FixedWidthInteger>(_ bytes: [UInt8], at offset: Int) -> T {
        var value: T = 0
        for i in 0..<MemoryLayout<T>.size { value |= T(bytes[offset + i]) << (8 * i) }
        return value
    }

    /// 64-bit FNV-1a.
    static func checksum(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in bytes {
            hash ^= UInt64(b)
            hash &*= 0x0000_0100_0000_01B3
        }
        return hash
    }
}
