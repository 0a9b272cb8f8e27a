import Foundation

/// Float32 vectors as little-endian BLOBs, the embeddings table's storage.
enum VectorBlob {
    /// The bytes of a vector.
    static func encode(_ vector: ArraySlice<Float>) -> Data {
        var data = Data(capacity: vector.count * 4)
        for value in vector {
            withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) }
        }
        return data
    }

    /// Appends the vector stored in `data` to `out`; nil when its size is not `dimension` floats.
    static func decode(_ data: Data, dimension: Int, into out: inout [Float]) -> Bool {
        guard data.count == dimension * 4 else { return false }
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: dimension))
        data.withUnsafeBytes { raw in
            out.withUnsafeMutableBufferPointer { p in
                for i in 0..<dimension {
                    let bits = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self))
                    p[start + i] = Float(bitPattern: bits)
                }
            }
        }
        return true
    }
}
