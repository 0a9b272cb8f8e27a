/// One triplet of batch indices: an anchor, a positive (same label) and a negative (another label).
public struct Triplet: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Index of the anchor.
    public var anchor: Int
    /// Index of the positive.
    public var positive: Int
    /// Index of the negative.
    public var negative: Int

    /// A triplet (anchor, positive, negative).
    public init(_ anchor: Int, _ positive: Int, _ negative: Int) {
        self.anchor = anchor
        self.positive = positive
        self.negative = negative
    }

    /// Orders by anchor, then positive, then negative.
    public static func < (l: Triplet, r: Triplet) -> Bool {
        (l.anchor, l.positive, l.negative) < (r.anchor, r.positive, r.negative)
    }

    /// A readable form for messages and logs.
    public var description: String { "(\(anchor), \(positive), \(negative))" }

    /// Every valid triplet of a labelled batch (a ≠ p, yₐ = yₚ, yₙ ≠ yₐ), sorted. B³ in the worst case:
    /// for inspection and small batches; the losses never build this list.
    public static func allValid(labels: [Int]) -> [Triplet] {
        var out: [Triplet] = []
        for a in labels.indices {
            for p in labels.indices where p != a && labels[p] == labels[a] {
                for n in labels.indices where labels[n] != labels[a] {
                    out.append(Triplet(a, p, n))
                }
            }
        }
        return out
    }
}

/// One pair of batch indices.
public struct Pair: Hashable, Comparable, Sendable {
    /// The first index.
    public var first: Int
    /// The second index.
    public var second: Int

    /// A pair (first, second).
    public init(_ first: Int, _ second: Int) {
        self.first = first
        self.second = second
    }

    /// Orders by first, then second.
    public static func < (l: Pair, r: Pair) -> Bool { (l.first, l.second) < (r.first, r.second) }
}
