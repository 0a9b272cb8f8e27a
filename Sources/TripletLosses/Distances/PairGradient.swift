/// The gradient of a loss with respect to the entries of a B×B distance matrix, as the losses build it:
/// dense when most entries are touched (streaming and all-pairs losses), a list of entries when only a
/// few are (triplet lists). Entries are with respect to the *dissimilarity* d' (see `DistanceMatrix`).
struct PairGradient {
    /// One sparse entry: dL/dd'(i, j) += value.
    struct Entry {
        var i: Int32
        var j: Int32
        var value: Float
    }

    let count: Int
    /// B×B, row-major; empty in sparse mode.
    var dense: [Float]
    /// Used in sparse mode.
    var entries: [Entry]
    let isDense: Bool

    /// A dense gradient for the pairs of `matrix`, in a buffer from its scratch pool: zero, or with
    /// arbitrary contents when the caller writes every entry (`zeroed: false`).
    static func dense(like matrix: DistanceMatrix, zeroed: Bool = true) -> PairGradient {
        let n = matrix.count
        let buffer = matrix.scratch?.take(n * n, zeroed: zeroed) ?? [Float](repeating: 0, count: n * n)
        return PairGradient(count: n, dense: buffer, entries: [], isDense: true)
    }

    static func sparse(count: Int, capacity: Int = 0) -> PairGradient {
        var g = PairGradient(count: count, dense: [], entries: [], isDense: false)
        g.entries.reserveCapacity(capacity)
        return g
    }

    /// Adds `value` at (i, j) in either mode.
    @inline(__always)
    mutating func add(_ i: Int, _ j: Int, _ value: Float) {
        if isDense {
            dense[i * count + j] += value
        } else {
            entries.append(Entry(i: Int32(i), j: Int32(j), value: value))
        }
    }
}
