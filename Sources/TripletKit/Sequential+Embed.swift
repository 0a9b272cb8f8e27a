import TripletCore
import TripletNetworks

extension Sequential {
    /// The embeddings of `inputs` ([N, …]) in evaluation mode, `chunk` rows at a time.
    public func embed(_ inputs: Tensor, chunk: Int = 1000) throws -> Tensor {
        var scalars: [Float] = []
        var width = 0
        for start in stride(from: 0, to: inputs.rowCount, by: max(chunk, 1)) {
            let out = try forward(try inputs.rows(Array(start..<min(start + chunk, inputs.rowCount))), training: false)
            width = out.rowWidth
            scalars += out.scalars
        }
        return try Tensor(shape: [inputs.rowCount, width], scalars: scalars)
    }
}

extension Tensor {
    /// The rows `indices` (first-dimension entries) of this tensor, as a [indices.count, …] tensor;
    /// throws on an index out of range.
    public func rows(_ indices: [Int]) throws -> Tensor {
        let width = rowWidth, count = rowCount
        if let bad = indices.first(where: { !(0..<count).contains($0) }) {
            throw TripletError.indexOutOfRange(what: "row", index: bad, count: count)
        }
        var out = [Float](repeating: 0, count: indices.count * width)
        scalars.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for (i, row) in indices.enumerated() {
                    (dst.baseAddress! + i * width).update(from: src.baseAddress! + row * width, count: width)
                }
            }
        }
        return try Tensor(shape: [indices.count] + shape.dropFirst(), scalars: out)
    }
}
