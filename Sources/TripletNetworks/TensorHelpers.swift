import TripletCore

extension Tensor {
    /// A tensor whose every element `fill` writes (the storage starts uninitialised, so `fill` must
    /// write all of it). The shape is one the package computed, non-negative by construction.
    package static func filled(_ shape: [Int], _ fill: (UnsafeMutableBufferPointer<Float>) -> Void) -> Tensor {
        let count = shape.reduce(1, *)
        let scalars = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            fill(buffer)
            initialized = count
        }
        return reshaped(scalars, shape)
    }

    /// The same elements under another shape with the same element count.
    func reshaped(_ shape: [Int]) -> Tensor { Tensor.reshaped(scalars, shape) }

    /// The elementwise sum with `other`, which has the same shape (checked by the caller).
    package func adding(_ other: Tensor) -> Tensor {
        precondition(shape == other.shape, "adding \(other.shape) to \(shape)")
        return Tensor.filled(shape) { out in
            scalars.withUnsafeBufferPointer { a in
                other.scalars.withUnsafeBufferPointer { b in
                    for i in 0..<out.count { out[i] = a[i] + b[i] }
                }
            }
        }
    }

    private static func reshaped(_ scalars: [Float], _ shape: [Int]) -> Tensor {
        do {
            return try Tensor(shape: shape, scalars: scalars)
        } catch {
            preconditionFailure("internal shape \(shape) does not hold \(scalars.count) elements")
        }
    }

    /// Throws `nonFiniteValue` at the first NaN or infinity, reported as (row, column) of [N, rest].
    func requireFinite(_ what: String) throws {
        let width = Swift.max(1, rowWidth)
        let bad = scalars.withUnsafeBufferPointer { buffer -> Int? in
            // x·0 is 0 for finite x and NaN otherwise: scan blocks with SIMD, then find the element.
            let x = buffer.baseAddress!
            var start = 0
            while start < buffer.count {
                let end = Swift.min(buffer.count, start + 4096)
                var lanes = SIMD16<Float>()
                var i = start
                while i + 16 <= end {
                    lanes += Kernels.load16(x + i) * 0
                    i += 16
                }
                var rest: Float = 0
                while i < end {
                    rest += x[i] * 0
                    i += 1
                }
                if !(lanes.sum() + rest).isFinite { return (start..<end).first { !x[$0].isFinite } }
                start = end
            }
            return nil
        }
        if let bad { throw TripletError.nonFiniteValue(what: what, row: bad / width, column: bad % width) }
    }
}

/// Shape checks shared by the layers; each throws `shapeMismatch` with the shape the layer expects.
enum ShapeCheck {
    /// Requires a [N, features] matrix with N >= 1.
    static func matrix(_ t: Tensor, features: Int?, layer: String) throws {
        let expected = "[N, \(features.map(String.init) ?? "F")] for \(layer)"
        guard t.shape.count == 2, t.shape[0] > 0, features.map({ $0 == t.shape[1] }) ?? (t.shape[1] > 0) else {
            throw TripletError.shapeMismatch(expected: expected, got: t.shape)
        }
    }

    /// Requires an [N, C, H, W] tensor with N, H, W >= 1 and C == `channels`.
    static func images(_ t: Tensor, channels: Int, layer: String) throws {
        guard t.shape.count == 4, t.shape[0] > 0, t.shape[1] == channels, t.shape[2] > 0, t.shape[3] > 0 else {
            throw TripletError.shapeMismatch(expected: "[N, \(channels), H, W] for \(layer)", got: t.shape)
        }
    }

    /// Requires `gradient` to have the shape of the last forward output.
    static func gradient(_ gradient: Tensor, matches shape: [Int]?, layer: String) throws -> [Int] {
        guard let shape else {
            throw TripletError.invalidParameter(
                name: "\(layer) backward", value: "before any training-mode forward",
                expected: "a forward(_:training: true) first")
        }
        guard gradient.shape == shape else {
            throw TripletError.shapeMismatch(expected: "\(shape) (the output of \(layer))", got: gradient.shape)
        }
        return shape
    }
}
