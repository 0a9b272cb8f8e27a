import TripletCore

/// A lookup table, `nn.Embedding(count, dimension)`: y[…, :] = W[id, :] for every id of an input [N] or
/// [N, T] of integer ids stored as Float, giving [N, dimension] or [N, T, dimension]. The weight "weight"
/// is [count, dimension], initialised N(0, 1) as PyTorch does.
///
/// Each id must be an integer in 0..<count (a Float holds every integer up to 2²⁴ exactly, so count is at
/// most 16 777 216); anything else (a fraction, a negative or too large value, NaN, infinity) throws a
/// `TripletError` naming the value and its position. The backward pass adds each output row's gradient
/// into the weight row it came from (a repeated id collects every use, as `index_add_`). Ids have no
/// gradient: backward returns a zero tensor shaped like the input (PyTorch raises on an integer tensor
/// that requires grad instead); `backward(_:inputGradient: false)` skips it.
///
/// ```swift
/// let table = try Embedding(count: 30_522, dimension: 384, generator: &g)
/// let tokens = try table(Tensor(shape: [2, 3], scalars: [101, 2023, 102, 101, 7592, 102]))  // [2, 3, 384]
/// ```
public final class Embedding: ConfigurableLayer {
    /// The number of rows (ids 0..<count).
    public let count: Int
    /// The width of each row.
    public let dimension: Int
    /// W, [count, dimension].
    public let weight: Parameter
    /// Threads: the ids are split across them.
    public var threads = 1

    private var ids: [Int32] = []
    private var inputShape: [Int]?

    /// The largest `count`: every id below it is an exact Float.
    public static let maximumCount = 1 << 24

    /// A table of `count` rows of width `dimension`, drawn N(0, 1) from `generator`; throws unless both are
    /// positive and count <= `maximumCount`.
    public init(count: Int, dimension: Int, generator: inout SeededGenerator) throws {
        guard count > 0, count <= Self.maximumCount, dimension > 0 else {
            throw TripletError.invalidParameter(
                name: "Embedding size", value: "count \(count), dimension \(dimension)",
                expected: "positive sizes with count <= \(Self.maximumCount) (ids are exact Float integers)")
        }
        (self.count, self.dimension) = (count, dimension)
        weight = Parameter(
            name: "weight", value: try Initializers.normal(shape: [count, dimension], std: 1, generator: &generator))
    }

    /// The table's size.
    public struct Configuration: Codable, Sendable {
        /// The number of rows.
        public var count: Int
        /// The width of each row.
        public var dimension: Int
    }
    /// "embedding".
    public static let kind = "embedding"
    /// Its size.
    public var configuration: Configuration { Configuration(count: count, dimension: dimension) }

    /// A table of `configuration`, initialised from `builder.generator`.
    public convenience init(configuration c: Configuration, builder: inout LayerBuilder) throws {
        try self.init(count: c.count, dimension: c.dimension, generator: &builder.generator)
    }
    /// The weight.
    public var parameters: [Parameter] { [weight] }

    private var name: String { "Embedding(\(count), \(dimension))" }

    /// The ids of `input` as Int32; throws at the first value that is not an integer in 0..<count.
    private func validIDs(_ input: Tensor) throws -> [Int32] {
        let s = input.shape
        guard s.count == 1 || s.count == 2, s.allSatisfy({ $0 > 0 }) else {
            throw TripletError.shapeMismatch(expected: "[N] or [N, T] of ids for \(name)", got: s)
        }
        let limit = Float(count)
        return try input.scalars.withUnsafeBufferPointer { x in
            // `v >= 0 && v < limit` is false for NaN; `v.rounded(.towardZero) == v` rejects fractions.
            if let bad = x.firstIndex(where: { v in !(v >= 0 && v < limit && v.rounded(.towardZero) == v) }) {
                let position = s.count == 2 ? "[\(bad / s[1]), \(bad % s[1])]" : "[\(bad)]"
                throw TripletError.invalidParameter(
                    name: "\(name) id at \(position)", value: "\(x[bad])",
                    expected: "an integer in 0..<\(count)")
            }
            return x.map { Int32($0) }
        }
    }

    /// The rows of the weight for each id; throws on a shape other than [N] / [N, T] or an invalid id.
    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        let ids = try validIDs(input)
        if training {
            self.ids = ids
            inputShape = input.shape
        } else {
            inputShape = nil
        }
        let d = dimension
        return Tensor.filled(input.shape + [d]) { out in
            weight.value.scalars.withUnsafeBufferPointer { w in
                ids.withUnsafeBufferPointer { ids in
                    let rows = ids.count
                    let (w, out, ids) = (w.baseAddress!, out.baseAddress!, ids.baseAddress!)
                    Parallel.forEachChunk(rows, threads: rows * d >= 1 << 16 ? threads : 1) { range in
                        for i in range { (out + i * d).update(from: w + Int(ids[i]) * d, count: d) }
                    }
                }
            }
        }
    }

    /// Adds each gradient row into the weight row of its id; returns zeros shaped like the ids.
    public func backward(_ gradOutput: Tensor) throws -> Tensor {
        try backward(gradOutput, inputGradient: true)!
    }

    /// As `backward(_:)`; returns nil instead of the zero tensor when `inputGradient` is false.
    public func backward(_ gradOutput: Tensor, inputGradient: Bool) throws -> Tensor? {
        _ = try ShapeCheck.gradient(gradOutput, matches: inputShape.map { $0 + [dimension] }, layer: name)
        guard let inputShape else { return inputGradient ? gradOutput : nil }
        let d = dimension
        gradOutput.scalars.withUnsafeBufferPointer { dy in
            weight.gradient.scalars.withUnsafeMutableBufferPointer { dw in
                ids.withUnsafeBufferPointer { ids in
                    // One thread: two uses of an id add into the same row.
                    for (i, id) in ids.enumerated() {
                        VectorMath.axpy(1, dy.baseAddress! + i * d, dw.baseAddress! + Int(id) * d, d)
                    }
                }
            }
        }
        return inputGradient ? Tensor.zeros(inputShape) : nil
    }
}

extension LayerSpec {
    /// `nn.Embedding(count, dimension)`: an `Embedding` layer.
    public static func embedding(count: Int, dimension: Int) -> LayerSpec {
        LayerSpec(kind: Embedding.kind, encoding: Embedding.Configuration(count: count, dimension: dimension))
    }
}
