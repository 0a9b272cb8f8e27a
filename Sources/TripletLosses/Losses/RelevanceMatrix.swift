import TripletCore

/// Graded relevance between the samples of a batch: an integer level for every ordered pair (i, j),
/// 0 for "not relevant" up to L − 1 for "most relevant"; the diagonal is ignored. `LadderLoss` ranks
/// more relevant samples above less relevant ones.
///
/// ```swift
/// // Any levels:
/// let r = try RelevanceMatrix([[0, 2, 1], [2, 0, 0], [1, 0, 0]])
/// // From hierarchical labels: 2 = same fine class, 1 = same coarse group, 0 = other.
/// let h = try RelevanceMatrix.hierarchical(labels: [0, 0, 1, 2], coarseGroups: [0: 0, 1: 0, 2: 1])
/// ```
public struct RelevanceMatrix: Sendable, Equatable {
    /// The batch size B.
    public let count: Int
    /// The levels, row-major B×B.
    public let levels: [Int32]

    /// A matrix from its rows; throws unless they form a square matrix.
    public init(_ rows: [[Int]]) throws {
        let n = rows.count
        if let bad = rows.firstIndex(where: { $0.count != n }) {
            throw TripletError.shapeMismatch(
                expected: "a square relevance matrix [\(n), \(n)] (row \(bad) has \(rows[bad].count) entries)",
                got: [n, rows[bad].count])
        }
        var levels = [Int32](repeating: 0, count: n * n)
        for (i, row) in rows.enumerated() {
            for (j, level) in row.enumerated() {
                levels[i * n + j] = Int32(clamping: level)
            }
        }
        self.init(count: n, levels: levels)
    }

    /// A matrix from its B×B levels, row-major.
    public init(count: Int, levels: [Int32]) {
        precondition(levels.count == count * count, "relevance levels: \(levels.count) for a batch of \(count)")
        self.count = count
        self.levels = levels
    }

    /// The level of the pair (i, j).
    public subscript(i: Int, j: Int) -> Int { Int(levels[i * count + j]) }

    /// Relevance from two label levels: 2 where the fine labels are equal, 1 where they differ but
    /// their coarse groups (`coarseGroups[fine label]`) are equal, 0 otherwise.
    /// - Throws: `TripletError.invalidParameter` when a label has no group.
    public static func hierarchical(labels: [Int], coarseGroups: [Int: Int]) throws -> RelevanceMatrix {
        let groups = try labels.map { label in
            guard let group = coarseGroups[label] else {
                throw TripletError.invalidParameter(
                    name: "coarseGroups", value: "without class \(label)",
                    expected: "a coarse group for every class of the batch")
            }
            return group
        }
        let n = labels.count
        var levels = [Int32](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0..<n {
                levels[i * n + j] = labels[i] == labels[j] ? 2 : groups[i] == groups[j] ? 1 : 0
            }
        }
        return RelevanceMatrix(count: n, levels: levels)
    }
}
