import TripletCore

/// One anchor's weighted triplets (a, p, n) without listing them: its negative references sorted by d'
/// once (radix sort), with prefix sums of their counts and count-weighted values; for each positive, the
/// mined negatives and those that violate the margin are index intervals of that order (binary search, on
/// the same float32 expressions as PML). O(M log M) per anchor, O(M) memory per thread.
struct ReferenceSweep {
    /// The anchor's row of d'.
    private var row: UnsafePointer<Float>
    /// Negatives as (encoded d' << 32 | slot), sorted; their d' and counts in that order.
    private var keys: [UInt64]
    private var spare: [UInt64]
    private var values: [Float]
    private var negativeCounts: [Int32]
    private var negativeCount = 0
    /// (slot, count) of the positives.
    private var positives: [(slot: Int, count: Int32)] = []
    private var prefixCounts: [Double]
    private var prefixValues: [Double]
    private var cover: [Double]

    /// Buffers for anchors of `columns` references (one sweep per thread, reused across its anchors).
    init(columns: Int) {
        row = UnsafePointer(bitPattern: 1)!
        keys = [UInt64](repeating: 0, count: columns)
        spare = keys
        values = [Float](repeating: 0, count: columns)
        negativeCounts = [Int32](repeating: 0, count: columns)
        prefixCounts = [Double](repeating: 0, count: columns + 1)
        prefixValues = prefixCounts
        cover = prefixCounts
    }

    /// Loads anchor `a`'s row of `d` (B×M) with the pair counts of `counts` (0 leaves a pair out).
    mutating func load(_ d: UnsafePointer<Float>, _ counts: PairCounts, _ batch: ReferenceBatch, anchor a: Int) {
        let m = counts.columns, label = batch.labels[a]
        row = d + a * m
        positives.removeAll(keepingCapacity: true)
        var n = 0
        counts.counts.withUnsafeBufferPointer { c in
            batch.referenceLabels.withUnsafeBufferPointer { labels in
                for r in 0..<m where c[a * m + r] > 0 {
                    if labels[r] == label {
                        positives.append((r, c[a * m + r]))
                    } else {
                        keys[n] = UInt64(SortKey.encode(row[r])) << 32 | UInt64(r)
                        n += 1
                    }
                }
            }
        }
        keys.withUnsafeMutableBufferPointer { k in
            spare.withUnsafeMutableBufferPointer { s in RadixSort.sortUpperHalf(k.baseAddress!, s.baseAddress!, n) }
        }
        negativeCount = n
        for i in 0..<n {
            let slot = Int(keys[i] & 0xFFFF_FFFF)
            values[i] = row[slot]
            negativeCounts[i] = counts.counts[a * m + slot]
            prefixCounts[i + 1] = prefixCounts[i] + Double(negativeCounts[i])
            prefixValues[i + 1] = prefixValues[i] + Double(negativeCounts[i]) * Double(values[i])
        }
    }

    /// The first sorted negative where `isTrue` holds (it must hold for a suffix).
    private func partition(_ isTrue: (Float) -> Bool) -> Int {
        var lo = 0, hi = negativeCount
        while lo < hi {
            let mid = (lo + hi) / 2
            if isTrue(values[mid]) { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }

    /// The mined negatives [lo, hi) of a positive at d'(a,p) = dap.
    private func interval(_ dap: Float, _ range: MarginRange) -> (lo: Int, hi: Int) {
        let lo = range.lower == -.infinity ? 0 : partition { $0 - dap > range.lower }
        let hi = range.upper == .infinity ? negativeCount : partition { !($0 - dap <= range.upper) }
        return (lo, max(lo, hi))
    }

    /// Adds, to row a of `out`, each pair's count in the triplets of `range` (PML's `convert_to_pairs`).
    mutating func count(range: MarginRange, anchor a: Int, into out: UnsafeMutablePointer<Int32>) {
        for i in 0...negativeCount { cover[i] = 0 }
        for p in positives {
            let (lo, hi) = interval(row[p.slot], range)
            guard hi > lo else { continue }
            out[p.slot] += Int32(prefixCounts[hi] - prefixCounts[lo]) * p.count
            cover[lo] += Double(p.count)
            cover[hi] -= Double(p.count)
        }
        var running = 0.0
        for i in 0..<negativeCount {
            running += cover[i]
            if running != 0 { out[Int(keys[i] & 0xFFFF_FFFF)] += Int32(running) * negativeCounts[i] }
        }
    }

    /// The hinge loss Σ count·relu((d'(a,p) − d'(a,n)) + margin) over the triplets of `range`: writes its
    /// dL/dd' into `grow` (the anchor's gradient row, zero before) and returns the loss, the triplets
    /// and the active ones.
    mutating func hinge(
        range: MarginRange, margin: Float, into grow: UnsafeMutablePointer<Float>
    ) -> (loss: Double, candidates: Int, active: Int) {
        for i in 0...negativeCount { cover[i] = 0 }
        var sums = (loss: 0.0, candidates: 0, active: 0)
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
        for i in 0..<negativeCount {
            running += cover[i]
            if running != 0 { grow[Int(keys[i] & 0xFFFF_FFFF)] -= Float(running * Double(negativeCounts[i])) }
        }
        return sums
    }
}

extension ReferenceBatch {
    /// Runs `body` for every anchor with a sweep loaded for it, anchors split across threads.
    func sweepAnchors(
        _ matrix: ReferenceDistances, _ counts: PairCounts, _ body: (inout ReferenceSweep, Int) -> Void
    ) {
        matrix.dissimilarities.withUnsafeBufferPointer { d in
            Parallel.forEachChunk(rows, threads: threads) { anchors in
                var sweep = ReferenceSweep(columns: columns)
                for a in anchors {
                    sweep.load(d.baseAddress!, counts, self, anchor: a)
                    body(&sweep, a)
                }
            }
        }
    }
}
