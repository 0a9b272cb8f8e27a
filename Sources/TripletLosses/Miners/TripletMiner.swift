import TripletCore

/// The triplets a miner selects: an explicit list, or every valid triplet whose margin
/// m = d'(a, n) − d'(a, p) falls in a range — kept implicit, so that losses can stream them in O(B²)
/// memory instead of listing up to B³ triplets.
public enum MinedTriplets: Sendable {
    /// Every valid triplet with `range.contains(m)`.
    case marginRange(MarginRange)
    /// Exactly these triplets.
    case list([Triplet])
}

/// An interval of triplet margins m = d'(a, n) − d'(a, p): lower bound excluded, upper bound included.
public struct MarginRange: Sendable, Equatable {
    /// Margins must be strictly above this (−∞ for none).
    public var lower: Float
    /// Margins must be at most this (+∞ for none).
    public var upper: Float

    /// The range (lower, upper].
    public init(above lower: Float = -.infinity, atMost upper: Float = .infinity) {
        self.lower = lower
        self.upper = upper
    }

    /// Every margin: all valid triplets.
    public static let all = MarginRange()

    /// Whether a triplet with these dissimilarities is in the range (computed as the streaming kernel does).
    @inline(__always)
    func contains(positive dap: Float, negative dan: Float) -> Bool {
        let m = dan - dap
        return m > lower && m <= upper
    }
}

/// Chooses the triplets of a batch that a triplet loss should use.
public protocol TripletMiner: Sendable {
    /// The selection for a batch whose distances and labels are given.
    func mine(_ distances: DistanceMatrix, labels: [Int]) -> MinedTriplets
    /// Throws when an option is out of range (called by the losses before mining).
    func validate() throws
}

extension TripletMiner {
    /// No options to check.
    public func validate() throws {}

    /// The triplets selected for a batch, sorted by (anchor, positive, negative) — for inspection and tests.
    public func triplets(
        embeddings: Tensor, labels: [Int], distance: Distance = .euclidean()
    ) throws -> [Triplet] {
        try BatchValidation.check(embeddings, labels: labels)
        try validate()
        let matrix = try DistanceMatrix(embeddings: embeddings, distance: distance)
        return mine(matrix, labels: labels).listed(matrix, labels: labels).sorted()
    }
}

extension MinedTriplets {
    /// The selection as an explicit list (enumerates a margin range: B³ in the worst case).
    func listed(_ d: DistanceMatrix, labels: [Int]) -> [Triplet] {
        switch self {
        case .list(let list): return list
        case .marginRange(let range):
            var out: [Triplet] = []
            let n = d.count
            for a in 0..<n {
                for p in 0..<n where p != a && labels[p] == labels[a] {
                    let dap = d.dissimilarities[a * n + p]
                    for q in 0..<n
                    where labels[q] != labels[a]
                        && range.contains(positive: dap, negative: d.dissimilarities[a * n + q])
                    {
                        out.append(Triplet(a, p, q))
                    }
                }
            }
            return out
        }
    }
}
