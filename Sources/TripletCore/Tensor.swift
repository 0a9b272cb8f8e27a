/// A dense row-major Float32 array with a shape, with value semantics (copy-on-write through `Array`).
///
/// ```swift
/// var e = try Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
/// e[1, 2] = 0  // copies the storage only if it is shared
/// ```
public struct Tensor: Equatable, Sendable {
    /// The size of each dimension, outermost first.
    public let shape: [Int]
    /// The elements in row-major order; `scalars.count` is the product of `shape`.
    public var scalars: [Float]

    /// Makes a tensor from its elements; throws when their count does not match the shape.
    public init(shape: [Int], scalars: [Float]) throws {
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw TripletError.invalidParameter(
                name: "shape", value: "\(shape)", expected: "non-negative dimensions")
        }
        let count = shape.reduce(1, *)
        guard count == scalars.count else {
            throw TripletError.shapeMismatch(expected: "with \(scalars.count) elements", got: shape)
        }
        self.shape = shape
        self.scalars = scalars
    }

    /// A tensor of the given shape filled with `value`; throws on a negative dimension.
    public init(repeating value: Float, shape: [Int]) throws {
        try self.init(shape: shape, scalars: [Float](repeating: value, count: max(0, shape.reduce(1, *))))
    }

    /// A zero tensor of a shape the package itself computed (non-negative by construction).
    package static func zeros(_ shape: [Int]) -> Tensor {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        return Tensor(unchecked: shape, scalars: [Float](repeating: 0, count: shape.reduce(1, *)))
    }

    private init(unchecked shape: [Int], scalars: [Float]) {
        self.shape = shape
        self.scalars = scalars
    }

    /// Makes a [rows.count, width] matrix from its rows; throws when the rows differ in length.
    public init(rows: [[Float]]) throws {
        let width = rows.first?.count ?? 0
        for (i, row) in rows.enumerated() where row.count != width {
            throw TripletError.shapeMismatch(
                expected: "[\(rows.count), \(width)] (row \(i))", got: [rows.count, row.count])
        }
        try self.init(shape: [rows.count, width], scalars: rows.flatMap { $0 })
    }

    /// The number of rows of a matrix (the first dimension).
    public var rowCount: Int { shape.first ?? 0 }
    /// The number of elements in one row (the product of every dimension but the first).
    public var rowWidth: Int { shape.dropFirst().reduce(1, *) }

    /// The element at (`row`, `column`) of a matrix.
    public subscript(row: Int, column: Int) -> Float {
        get { scalars[row * rowWidth + column] }
        set { scalars[row * rowWidth + column] = newValue }
    }

    /// One row of a matrix, copied out.
    public func row(_ i: Int) -> [Float] { Array(scalars[i * rowWidth..<(i + 1) * rowWidth]) }

    /// Throws when the tensor is not a non-empty [B, D] matrix with D >= 1 and finite entries.
    public func validateEmbeddings(_ what: String = "embeddings") throws {
        guard shape.count == 2 else { throw TripletError.shapeMismatch(expected: "[B, D]", got: shape) }
        guard shape[0] > 0 else { throw TripletError.emptyBatch }
        guard shape[1] > 0 else { throw TripletError.zeroDimension }
        guard !allFinite else { return }
        if let bad = scalars.firstIndex(where: { !$0.isFinite }) {
            throw TripletError.nonFiniteValue(what: what, row: bad / shape[1], column: bad % shape[1])
        }
    }

    /// Whether every element is finite, sixteen at a time: x·0 is 0 for a finite x and NaN otherwise.
    public var allFinite: Bool {
        scalars.withUnsafeBufferPointer { p in
            var lanes = SIMD16<Float>()
            var i = 0
            while i + 16 <= p.count {
                lanes += UnsafeRawPointer(p.baseAddress! + i).loadUnaligned(as: SIMD16<Float>.self) * 0
                i += 16
            }
            var rest: Float = 0
            while i < p.count {
                rest += p[i] * 0
                i += 1
            }
            return lanes.sum() + rest == 0
        }
    }
}
