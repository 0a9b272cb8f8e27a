import TripletCore

/// One anchor's weighted triplets (a, p, n) without listing them: its negative references sorted by d'
/// once (radix sort), with prefix sums of their counts and count-weighted values; for each positive, the
/// mined negatives and those that violate the margin are index intervals of that order (binary search, on
/// the same float32 expressions as PML). O(M log M) per anchor; one sweep's O(M) buffers per thread.
final class ReferenceSweep {
    private let capacity: Int
    /// The anchor's row of d'.
    private var row: UnsafePointer<Float>
    /// Negatives as (encoded d' << 32 | slot), sorted; their d' and counts in that order.
    private let keys: UnsafeMutablePointer<UInt64>
    private let spare: UnsafeMutablePointer<UInt64>
    private let values: UnsafeMutablePointer<Float>
    private let negativeCounts: UnsafeMutablePointer<Int32>
    private var negativeCount = 0
    /// Positives as (encoded d' << 32 | slot), sorted, so that every interval end only moves forward.
    private let positiveKeys: UnsafeMutablePointer<UInt64>
    private var positiveCount = 0
    /// The anchor's row of pair counts.
    private var rowCounts: UnsafePointer<Int32>
    private let prefixCounts: UnsafeMutablePointer<Double>
    private let prefixValues: UnsafeMutablePointer<Double>
    private let cover: UnsafeMutablePointer<Double>

    /// Buffers for anchors of `columns` references (reused across one thread's anchors).
    init(columns: Int) {
        capacity = columns
        row = UnsafePointer(bitPattern: MemoryLayout<Float>.alignment)!
        rowCounts = UnsafePointer(bitPattern: MemoryLayout<Int32>.alignment)!
        positiveKeys = .allocate(capacity: columns)
        keys = .allocate(capacity: columns)
        spare = .allocate(capacity: columns)
        values = .allocate(capacity: columns)
        negativeCounts = .allocate(capacity: columns)
        prefixCounts = .allocate(capacity: columns + 1)
        prefixValues = .allocate(capacity: columns + 1)
        cover = .allocate(capacity: columns + 1)
    }

    deinit {
        for p in [keys, spare, positiveKeys] as [UnsafeMutablePointer<UInt64>] { p.deallocate() }
        values.deallocate()
        negativeCounts.deallocate()
        for p in [prefixCounts, prefixValues, cover] { p.deallocate() }
    }

    /// Loads row a of `d` (B×M) with the pair counts `counts` (B×M; 0 leaves a pair out) and the
    /// references' labels.
    func load(
        _ d: UnsafePointer<Float>, _ counts: UnsafePointer<Int32>, referenceLabels: UnsafePointer<Int>, label: Int,
        anchor a: Int
    ) {
        let m = capacity, c = counts + a * m
        row = d + a * m
        rowCounts = c
        var n = 0, p = 0
        for r in 0..<m where c[r] > 0 {
            let key = UInt64(SortKey.encode(row[r])) << 32 | UInt64(r)
            if referenceLabels[r] == label {
                positiveKeys[p] = key
                p += 1
            } else {
                keys[n] = key
                n += 1
            }
        }
        RadixSort.sortUpperHalf(keys, spare, n)
        RadixSort.sortUpperHalf(positiveKeys, spare, p)
        positiveCount = p
        negativeCount = n
        prefixCounts[0] = 0
        prefixValues[0] = 0
        for i in 0..<n {
            let slot = Int(keys[i] & 0xFFFF_FFFF)
            values[i] = row[slot]
            negativeCounts[i] = c[slot]
            prefixCounts[i + 1] = prefixCounts[i] + Double(c[slot])
            prefixValues[i + 1] = prefixValues[i] + Double(c[slot]) * Double(values[i])
        }
    }

    /// Calls `visit(slot, count, dap, lo, hi)` for each positive in increasing d'(a,p) = dap, with the mined
    /// negatives [lo, hi) (margin m = v − dap in `range`) and `activeEnd`, the end of those whose hinge
    /// (dap − v) + margin is positive (with no margin, hi): the three ends only move forward.
    @inline(__always)
    private func walk(_ range: MarginRange, margin: Float?, _ visit: (Int, Int32, Float, Int, Int, Int) -> Void) {
        var lo = 0, hi = 0, active = 0
        let n = negativeCount
        for k in 0..<positiveCount {
            let slot = Int(positiveKeys[k] & 0xFFFF_FFFF), dap = row[slot]
            if range.lower != -.infinity { while lo < n && !(values[lo] - dap > range.lower) { lo += 1 } }
            if range.upper == .infinity { hi = n } else { while hi < n && values[hi] - dap <= range.upper { hi += 1 } }
            var activeEnd = hi
            if let margin {
                while active < n && (dap - values[active]) + margin > 0 { active += 1 }
                activeEnd = min(hi, active)
            }
            visit(slot, rowCounts[slot], dap, lo, max(lo, hi), max(lo, activeEnd))
        }
    }

    /// Adds, to `out` (the anchor's row of counts), each pair's count in the triplets of `range` (PML's
    /// `convert_to_pairs` of those triplets).
    func count(range: MarginRange, into out: UnsafeMutablePointer<Int32>) {
        cover.update(repeating: 0, count: negativeCount + 1)
        walk(range, margin: nil) { slot, count, _, lo, hi, _ in
            guard hi > lo else { return }
            out[slot] += Int32(prefixCounts[hi] - prefixCounts[lo]) * count
            cover[lo] += Double(count)
            cover[hi] -= Double(count)
        }
        var running = 0.0
        for i in 0..<negativeCount {
            running += cover[i]
            if running != 0 { out[Int(keys[i] & 0xFFFF_FFFF)] += Int32(running) * negativeCounts[i] }
        }
    }

    /// The hinge loss Σ count·relu((d'(a,p) − d'(a,n)) + margin) over the triplets of `range`: adds its
    /// dL/dd' to `grow` (the anchor's gradient row) and returns the loss, the triplets and the active ones.
    func hinge(
        range: MarginRange, margin: Float, into grow: UnsafeMutablePointer<Float>
    ) -> (loss: Double, candidates: Int, active: Int) {
        cover.update(repeating: 0, count: negativeCount + 1)
        var sums = (loss: 0.0, candidates: 0.0, active: 0.0)
        walk(range, margin: margin) { slot, count, dap, lo, hi, activeEnd in
            guard hi > lo else { return }
            let weight = Double(count)
            sums.candidates += weight * (prefixCounts[hi] - prefixCounts[lo])
            guard activeEnd > lo else { return }
            let active = prefixCounts[activeEnd] - prefixCounts[lo]
            sums.active += weight * active
            sums.loss +=
                weight * (active * (Double(dap) + Double(margin)) - (prefixValues[activeEnd] - prefixValues[lo]))
            grow[slot] += Float(weight * active)
            cover[lo] += weight
            cover[activeEnd] -= weight
        }
        var running = 0.0
        for i in 0..<negativeCount {
            running += cover[i]
            if running != 0 { grow[Int(keys[i] & 0xFFFF_FFFF)] -= Float(running * Double(negativeCounts[i])) }
        }
        return (sums.loss, Int(sums.candidates), Int(sums.active))
    }
}

extension ReferenceBatch {
    /// Runs `body` for every anchor with a sweep loaded for it, anchors split across threads.
    func sweepAnchors(_ matrix: ReferenceDistances, _ counts: PairCounts, _ body: (ReferenceSweep, Int) -> Void) {
        matrix.dissimilarities.withUnsafeBufferPointer { d in
            counts.counts.withUnsafeBufferPointer { c in
                referenceLabels.withUnsafeBufferPointer { refs in
                    Parallel.forEachChunk(rows, threads: threads) { anchors in
                        let sweep = ReferenceSweep(columns: columns)
                        for a in anchors {
                            sweep.load(
                                d.baseAddress!, c.baseAddress!, referenceLabels: refs.baseAddress!, label: labels[a],
                                anchor: a)
                            body(sweep, a)
                        }
                    }
                }
            }
        }
    }
}
