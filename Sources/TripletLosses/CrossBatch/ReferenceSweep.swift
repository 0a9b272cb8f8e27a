import TripletCore

/// One anchor's weighted triplets (a, p, n) without listing them: its negative references sorted by d'
/// once, with prefix sums of their counts and count-weighted values; for each positive, the mined
/// negatives and those that violate the margin are index intervals of that order (binary search, on the
/// same float32 expressions as PML). O(M log M) per anchor, O(M) memory.
struct ReferenceSweep {
    private let row: [Float]
    private let anchor: Int
    private let columns: Int
    /// (d', slot, count) of the negatives, increasing d' (ties by slot).
    private var negatives: [(value: Float, slot: Int, count: Int32)] = []
    /// (slot, count) of the positives.
    private var positives: [(slot: Int, count: Int32)] = []
    private var prefixCounts: [Double] = [0]
    private var prefixValues: [Double] = [0]

    /// The sweep of `anchor` over `matrix`, with the pair counts of `counts` (0 leaves a pair out).
    init(_ matrix: ReferenceDistances, _ counts: PairCounts, _ batch: ReferenceBatch, anchor: Int) {
        let m = matrix.columns
        row = Array(matrix.dissimilarities[anchor * m..<(anchor + 1) * m])
        self.anchor = anchor
        columns = m
        let label = batch.labels[anchor]
        for r in 0..<m where counts[anchor, r] > 0 {
            if batch.referenceLabels[r] == label {
                positives.append((r, counts[anchor, r]))
            } else {
                negatives.append((row[r], r, counts[anchor, r]))
            }
        }
        negatives.sort { ($0.value, $0.slot) < ($1.value, $1.slot) }
        for n in negatives {
            prefixCounts.append(prefixCounts[prefixCounts.count - 1] + Double(n.count))
            prefixValues.append(prefixValues[prefixValues.count - 1] + Double(n.count) * Double(n.value))
        }
    }

    /// The first index of the sorted negatives where `isTrue` holds (it must hold for a suffix).
    private func partition(_ isTrue: (Float) -> Bool) -> Int {
        var lo = 0, hi = negatives.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if isTrue(negatives[mid].value) { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }

    /// For a positive at d'(a,p) = dap: the mined negatives [lo, hi) and, with a margin, the end of those
    /// whose hinge (dap − d'(a,n)) + margin is positive.
    private func interval(_ dap: Float, _ range: MarginRange) -> (lo: Int, hi: Int) {
        let lo = range.lower == -.infinity ? 0 : partition { $0 - dap > range.lower }
        let hi = range.upper == .infinity ? negatives.count : partition { !($0 - dap <= range.upper) }
        return (lo, max(lo, hi))
    }

    /// Adds each pair's count in the triplets of `range` (PML's `convert_to_pairs` of those triplets) to `out`.
    mutating func count(range: MarginRange, into out: inout PairCounts) {
        var cover = [Double](repeating: 0, count: negatives.count + 1)
        for p in positives {
            let (lo, hi) = interval(row[p.slot], range)
            guard hi > lo else { continue }
            out[anchor, p.slot] += Int32(prefixCounts[hi] - prefixCounts[lo]) * p.count
            cover[lo] += Double(p.count)
            cover[hi] -= Double(p.count)
        }
        var running = 0.0
        for (i, n) in negatives.enumerated() {
            running += cover[i]
            if running != 0 { out[anchor, n.slot] += Int32(running) * n.count }
        }
    }

    /// The hinge loss Σ count·relu((d'(a,p) − d'(a,n)) + margin) over the triplets of `range`: adds its
    /// dL/dd' to `gradient` (row `anchor`, B×M) and returns the loss, the triplets and the active ones.
    mutating func hinge(
        range: MarginRange, margin: Float, gradient: UnsafeMutablePointer<Float>
    ) -> (loss: Double, candidates: Int, active: Int) {
        var cover = [Double](repeating: 0, count: negatives.count + 1)
        var sums = (loss: 0.0, candidates: 0, active: 0)
        let grow = gradient + anchor * columns
        for p in positives {
            let dap = row[p.slot]
            let (lo, hi) = interval(dap, range)
            guard hi > lo else { continue }
            let weight = Double(p.count)
            sums.candidates += Int(weight * (prefixCounts[hi] - prefixCounts[lo]))
            let activeEnd = min(hi, max(lo, partition { !((dap - $0) + margin > 0) }))
            guard activeEnd > lo else { continue }
            let count = prefixCounts[activeEnd] - prefixCounts[lo]
            sums.active += Int(weight * count)
            sums.loss += weight * (count * (Double(dap) + Double(margin)) - (prefixValues[activeEnd] - prefixValues[lo]))
            grow[p.slot] += Float(weight * count)
            cover[lo] += weight
            cover[activeEnd] -= weight
        }
        var running = 0.0
        for (i, n) in negatives.enumerated() {
            running += cover[i]
            if running != 0 { grow[n.slot] -= Float(running * Double(n.count)) }
        }
        return sums
    }
}
