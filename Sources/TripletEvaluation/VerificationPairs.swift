import TripletCore

/// Verification pairs drawn from labelled samples: every same-label (genuine) pair and a seeded random
/// set of distinct different-label (impostor) pairs, shuffled together (so that contiguous folds mix
/// both kinds, as LFW's sets do).
///
/// ```swift
/// let pairs = try VerificationPairs.make(labels: labels, seed: 7)          // as many impostors as genuine
/// let d = try pairs.distances(embeddings, metric: .cosine)                 // 1 − cos per pair
/// ```
public struct VerificationPairs: Sendable, Hashable {
    /// The first sample of each pair (the lower index).
    public let first: [Int]
    /// The second sample of each pair.
    public let second: [Int]
    /// Whether the two samples share a label.
    public let isSame: [Bool]

    /// The number of pairs.
    public var count: Int { first.count }

    /// All same-label pairs (i < j) and `impostors` different-label pairs (default: as many as the
    /// same-label pairs, or every different-label pair when there are fewer) drawn without repetition with `SeededGenerator(seed:)`, in a seeded random order.
    /// - Throws: `TripletError` for fewer than two labels, no two samples sharing a label, a single label
    ///   (no different pair), or more impostors asked for than exist (or fewer than one).
    public static func make(labels: [Int], impostors: Int? = nil, seed: UInt64 = 0) throws -> VerificationPairs {
        let n = labels.count
        guard n >= 2 else {
            throw TripletError.invalidParameter(name: "labels", value: "\(n) samples", expected: "at least 2")
        }
        var pairs: [(Int, Int)] = []
        for i in 0..<n { for j in (i + 1)..<n where labels[i] == labels[j] { pairs.append((i, j)) } }
        let genuine = pairs.count
        guard genuine > 0 else {
            throw TripletError.invalidParameter(
                name: "labels", value: "all distinct", expected: "at least two samples with the same label")
        }
        let available = n * (n - 1) / 2 - genuine
        guard available > 0 else {
            throw TripletError.invalidParameter(
                name: "labels", value: "a single label", expected: "at least two labels (for different pairs)")
        }
        let wanted = impostors ?? min(genuine, available)
        guard wanted >= 1, wanted <= available else {
            throw TripletError.invalidParameter(
                name: "impostors", value: "\(wanted)", expected: "1...\(available) (the different-label pairs)")
        }
        var generator = SeededGenerator(seed: seed)
        if wanted * 4 >= available {
            // Dense: list every different pair, keep a random `wanted` of them (partial Fisher–Yates).
            var all: [(Int, Int)] = []
            all.reserveCapacity(available)
            for i in 0..<n { for j in (i + 1)..<n where labels[i] != labels[j] { all.append((i, j)) } }
            for t in 0..<wanted { all.swapAt(t, Int.random(in: t..<all.count, using: &generator)) }
            pairs += all.prefix(wanted)
        } else {
            // Sparse: draw pairs, rejecting same-label and repeated ones (at most ¼ of candidates repeat).
            var seen = Set<Int>()
            while seen.count < wanted {
                let a = Int.random(in: 0..<n, using: &generator), b = Int.random(in: 0..<n, using: &generator)
                guard labels[a] != labels[b] else { continue }
                let (i, j) = (min(a, b), max(a, b))
                if seen.insert(i * n + j).inserted { pairs.append((i, j)) }
            }
        }
        for t in stride(from: pairs.count - 1, to: 0, by: -1) {
            pairs.swapAt(t, Int.random(in: 0...t, using: &generator))
        }
        return VerificationPairs(
            first: pairs.map(\.0), second: pairs.map(\.1), isSame: pairs.map { labels[$0.0] == labels[$0.1] })
    }

    /// The distance of each pair's embeddings in Double, as `KNNMetric` defines it (Euclidean, squared
    /// Euclidean, 1 − cosine, or the negated dot product): smaller is more alike, so pass
    /// `kind: .distance` to `VerificationMetrics`.
    /// - Throws: `TripletError` for empty or non-finite embeddings, or a pair index outside them.
    public func distances(_ embeddings: Tensor, metric: KNNMetric = .euclidean) throws -> [Double] {
        try embeddings.validateEmbeddings()
        let rows = embeddings.rowCount, width = embeddings.rowWidth
        if let bad = (first + second).first(where: { $0 < 0 || $0 >= rows }) {
            throw TripletError.indexOutOfRange(what: "pair", index: bad, count: rows)
        }
        return embeddings.scalars.withUnsafeBufferPointer { x in
            zip(first, second).map { i, j in
                var dot = 0.0, ii = 0.0, jj = 0.0, squared = 0.0
                for c in 0..<width {
                    let a = Double(x[i * width + c]), b = Double(x[j * width + c])
                    dot += a * b
                    ii += a * a
                    jj += b * b
                    squared += (a - b) * (a - b)
                }
                switch metric {
                case .euclidean: return squared.squareRoot()
                case .squaredEuclidean: return squared
                case .cosine: return 1 - dot / (max(ii.squareRoot(), 1e-12) * max(jj.squareRoot(), 1e-12))
                case .dot: return -dot
                }
            }
        }
    }

    /// Pairs given explicitly (an LFW-style list); `isSame` comes from `labels`.
    /// - Throws: `TripletError` for lists of different lengths or an index outside `labels`.
    public init(first: [Int], second: [Int], labels: [Int]) throws {
        guard first.count == second.count else {
            throw TripletError.invalidParameter(
                name: "second", value: "\(second.count) indices", expected: "one per first index (\(first.count))")
        }
        if let bad = (first + second).first(where: { $0 < 0 || $0 >= labels.count }) {
            throw TripletError.indexOutOfRange(what: "pair", index: bad, count: labels.count)
        }
        self.init(first: first, second: second, isSame: zip(first, second).map { labels[$0] == labels[$1] })
    }

    private init(first: [Int], second: [Int], isSame: [Bool]) {
        self.first = first
        self.second = second
        self.isSame = isSame
    }
}
