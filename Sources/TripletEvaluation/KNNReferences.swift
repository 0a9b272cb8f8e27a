import TripletCore

/// References prepared once for many k-NN searches: checked (finite, one width), normalised for the
/// cosine metric, with every row's squared norm. A search over them reads each row once (its GEMM)
/// and makes no per-call pass of its own; `append` and `removeRows` keep them in step with a store that
/// grows and shrinks, touching only the rows that change.
///
/// ```swift
/// var refs = try KNNReferences(stored, metric: .euclidean)
/// try refs.append(newRows)
/// let found = try ExactKNN.search(queries: q, references: refs, k: 5)
/// ```
public struct KNNReferences: Sendable, Equatable {
    /// How queries are compared with the rows.
    public let metric: KNNMetric
    /// The row width.
    public let width: Int
    /// The rows, row-major (unit length for the cosine metric).
    public private(set) var rows: [Float] = []
    /// ‖r‖² of every row.
    private(set) var squaredNorms: [Float] = []
    /// The largest ‖r‖² (0 when empty): the scale of the Gram form's rounding.
    private(set) var largestNorm: Float = 0

    /// The number of rows.
    public var count: Int { squaredNorms.count }

    /// No rows yet, of the given width; throws for a width below 1.
    public init(width: Int, metric: KNNMetric) throws {
        guard width >= 1 else { throw TripletError.zeroDimension }
        self.width = width
        self.metric = metric
    }

    /// Prepares the rows of a `[n, width]` matrix; throws for a non-finite entry or an empty matrix.
    public init(_ references: Tensor, metric: KNNMetric) throws {
        guard references.shape.count == 2 else {
            throw TripletError.shapeMismatch(expected: "[B, D]", got: references.shape)
        }
        try self.init(width: references.rowWidth, metric: metric)
        try append(references)
    }

    /// Adds the rows of a `[n, width]` matrix after the existing ones; throws (changing nothing) for
    /// another width or a non-finite entry.
    public mutating func append(_ more: Tensor) throws {
        try more.validateEmbeddings("references")
        guard more.rowWidth == width else {
            throw TripletError.shapeMismatch(expected: "references of width \(width)", got: more.shape)
        }
        let start = count
        rows.append(contentsOf: more.scalars)
        rows.withUnsafeMutableBufferPointer { p in
            if metric == .cosine {
                _ = RowNormalization.normalize(p.baseAddress! + start * width, rows: more.rowCount, width: width)
            }
            for i in start..<start + more.rowCount {
                let row = p.baseAddress! + i * width
                let norm = VectorMath.dot(row, row, width)
                squaredNorms.append(norm)
                largestNorm = max(largestNorm, norm)
            }
        }
    }

    /// Adds the rows of other prepared references after the existing ones, without checking them again;
    /// throws (changing nothing) for another width or metric.
    public mutating func append(contentsOf other: KNNReferences) throws {
        guard other.width == width, other.metric == metric else {
            throw TripletError.invalidParameter(
                name: "references", value: "of width \(other.width), metric \(other.metric)",
                expected: "width \(width), metric \(metric)")
        }
        rows += other.rows
        squaredNorms += other.squaredNorms
        largestNorm = max(largestNorm, other.largestNorm)
    }

    /// Removes a range of rows; throws (changing nothing) when it reaches outside `0..<count`.
    public mutating func removeRows(_ range: Range<Int>) throws {
        guard range.lowerBound >= 0, range.upperBound <= count else {
            throw TripletError.indexOutOfRange(what: "row range end", index: range.upperBound, count: count)
        }
        rows.removeSubrange(range.lowerBound * width..<range.upperBound * width)
        let largestGone = squaredNorms[range].contains(largestNorm)
        squaredNorms.removeSubrange(range)
        if largestGone { largestNorm = squaredNorms.max() ?? 0 }
    }
}
