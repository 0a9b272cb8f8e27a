import TripletCore

extension TripletKernels {
    /// The hinge loss over every valid triplet whose margin lies in `range`, without visiting triplets:
    /// each anchor sorts its negatives once; for each positive the mined and the active negatives are
    /// index intervals of that order (binary search), whose loss is a count times d'(a,p) + margin minus
    /// a prefix sum, and whose gradient is spread over the negatives with a difference array.
    /// O(B²) memory and O(B² log B) time; anchors run in parallel.
    static func streamHinge(_ d: DistanceMatrix, labels: [Int], range: MarginRange, margin: Float) -> TripletSums {
        let n = d.count, groups = LabelGroups(labels)
        // Every anchor writes its whole gradient row, so the buffer need not be cleared first.
        var gradient = PairGradient.dense(like: d, zeroed: false)
        var perAnchor = [(loss: Double, candidates: Int, active: Int)](repeating: (0, 0, 0), count: n)
        d.dissimilarities.withUnsafeBufferPointer { dp in
            gradient.dense.withUnsafeMutableBufferPointer { gp in
                perAnchor.withUnsafeMutableBufferPointer { out in
                    let dp = dp.baseAddress!, g = gp.baseAddress!
                    Parallel.forEachChunk(n, threads: d.threads) { anchors in
                        var scratch = StreamScratch(capacity: n)
                        for a in anchors {
                            let positives = groups.classmates(of: a).filter { Int($0) != a }
                            let row = dp + a * n, grow = g + a * n
                            if positives.isEmpty {
                                grow.update(repeating: 0, count: n)
                            } else if positives.count <= StreamScratch.directLimit {
                                out[a] = scanFewPositives(row, grow, n, positives, groups, a, range, margin)
                            } else {
                                out[a] = scratch.sweep(row, grow, n, positives, groups, a, range, margin)
                            }
                        }
                    }
                }
            }
        }
        return TripletSums(gradient: gradient, adding: perAnchor)
    }

    /// With a handful of positives, a plain scan of the negatives beats sorting them: one pass over the
    /// row, eight negatives at a time, every positive tested against them with the same Float comparisons
    /// as `MarginRange.contains`. Writes the whole gradient row.
    @inline(__always)
    private static func scanFewPositives(
        _ row: UnsafePointer<Float>, _ grow: UnsafeMutablePointer<Float>, _ n: Int, _ positives: [Int32],
        _ groups: LabelGroups, _ a: Int, _ range: MarginRange, _ margin: Float
    ) -> (loss: Double, candidates: Int, active: Int) {
        typealias Lanes = SIMD8<Float>
        typealias Counts = SIMD8<Int32>
        let label = groups.classOf[a], count = positives.count
        let lower = Lanes(repeating: range.lower), upper = Lanes(repeating: range.upper)
        let marginLanes = Lanes(repeating: margin), labelLanes = Counts(repeating: label)
        var sums = (loss: 0.0, candidates: 0, active: 0)
        withUnsafeTemporaryAllocation(of: (dap: Float, active: Counts, loss: Lanes).self, capacity: count) { state in
            for (k, p) in positives.enumerated() { state[k] = (row[Int(p)], Counts(), Lanes()) }
            var candidates = Counts()
            groups.classOf.withUnsafeBufferPointer { classes in
                let classes = classes.baseAddress!
                var j = 0
                while j + 8 <= n {
                    let v = UnsafeRawPointer(row + j).loadUnaligned(as: Lanes.self)
                    let negative = UnsafeRawPointer(classes + j).loadUnaligned(as: Counts.self) .!= labelLanes
                    var hits = Counts()
                    for k in 0..<count {
                        let dap = Lanes(repeating: state[k].dap)
                        let m = v - dap
                        let mined = negative .& (m .> lower) .& (m .<= upper)
                        let violation = dap - v + marginLanes
                        let hit = mined .& (violation .> 0)
                        candidates &+= Counts().replacing(with: 1, where: mined)
                        let one = Counts().replacing(with: 1, where: hit)
                        hits &+= one
                        state[k].active &+= one
                        state[k].loss += Lanes().replacing(with: violation, where: hit)
                    }
                    UnsafeMutableRawPointer(grow + j).storeBytes(of: -Lanes(hits), as: Lanes.self)
                    j += 8
                }
                sums.candidates = Int(candidates.wrappedSum())
                var tailActive = [Int](repeating: 0, count: count)
                while j < n {
                    grow[j] = 0
                    let v = row[j]
                    if classes[j] != label {
                        for k in 0..<count where range.contains(positive: state[k].dap, negative: v) {
                            sums.candidates += 1
                            let violation = state[k].dap - v + margin
                            if violation > 0 {
                                tailActive[k] += 1
                                sums.loss += Double(violation)
                                grow[j] -= 1
                            }
                        }
                    }
                    j += 1
                }
                for k in 0..<count {
                    let active = Int(state[k].active.wrappedSum()) + tailActive[k]
                    sums.active += active
                    sums.loss += Double(state[k].loss.sum())
                    grow[Int(positives[k])] += Float(active)
                }
            }
        }
        return sums
    }
}

/// Per-thread buffers of the sorted sweep, reused across anchors.
struct StreamScratch {
    /// Anchors with at most this many positives use the plain scan.
    static let directLimit = 6

    var keys: [UInt64]
    var spare: [UInt64]
    var values: [Float]
    var prefix: [Double]
    var cover: [Int32]
    var positiveKeys: [UInt64] = []

    init(capacity: Int) {
        keys = [UInt64](repeating: 0, count: capacity)
        spare = keys
        values = [Float](repeating: 0, count: capacity)
        prefix = [Double](repeating: 0, count: capacity + 1)
        cover = [Int32](repeating: 0, count: capacity + 1)
    }

    /// Sorts the negatives of anchor a, then walks the positives in increasing d'(a,p): the three
    /// interval ends (mined start, mined end, active end) only move forward.
    mutating func sweep(
        _ row: UnsafePointer<Float>, _ grow: UnsafeMutablePointer<Float>, _ n: Int, _ positives: [Int32],
        _ groups: LabelGroups, _ a: Int, _ range: MarginRange, _ margin: Float
    ) -> (loss: Double, candidates: Int, active: Int) {
        let label = groups.classOf[a]
        grow.update(repeating: 0, count: n)
        var count = 0
        keys.withUnsafeMutableBufferPointer { k in
            groups.classOf.withUnsafeBufferPointer { classes in
                for j in 0..<n where classes[j] != label {
                    k[count] = UInt64(SortKey.encode(row[j])) << 32 | UInt64(j)
                    count += 1
                }
            }
            spare.withUnsafeMutableBufferPointer { s in RadixSort.sortUpperHalf(k.baseAddress!, s.baseAddress!, count) }
        }
        guard count > 0 else { return (0, 0, 0) }
        positiveKeys.removeAll(keepingCapacity: true)
        for p in positives { positiveKeys.append(UInt64(SortKey.encode(row[Int(p)])) << 32 | UInt64(p)) }
        positiveKeys.sort()
        var sums = (loss: 0.0, candidates: 0, active: 0)
        keys.withUnsafeBufferPointer { k in
            values.withUnsafeMutableBufferPointer { v in
                prefix.withUnsafeMutableBufferPointer { prefix in
                    cover.withUnsafeMutableBufferPointer { cover in
                        prefix[0] = 0
                        for i in 0..<count {
                            v[i] = SortKey.decode(UInt32(truncatingIfNeeded: k[i] >> 32))
                            prefix[i + 1] = prefix[i] + Double(v[i])
                            cover[i] = 0
                        }
                        cover[count] = 0
                        // Margins m = v[k] − dap grow with k and shrink as dap grows; so do the violations' signs.
                        var lo = 0, minedEnd = 0, activeEnd = 0
                        for key in positiveKeys {
                            let p = Int(key & 0xFFFF_FFFF), dap = row[p]
                            if range.lower != -.infinity {
                                while lo < count && !(v[lo] - dap > range.lower) { lo += 1 }
                            }
                            if range.upper == .infinity {
                                minedEnd = count
                            } else {
                                while minedEnd < count && !(v[minedEnd] - dap > range.upper) { minedEnd += 1 }
                            }
                            while activeEnd < count && dap - v[activeEnd] + margin > 0 { activeEnd += 1 }
                            sums.candidates += max(0, minedEnd - lo)
                            let hi = min(minedEnd, activeEnd)
                            guard hi > lo else { continue }
                            let c = hi - lo
                            sums.active += c
                            sums.loss += Double(c) * (Double(dap) + Double(margin)) - (prefix[hi] - prefix[lo])
                            grow[p] += Float(c)
                            cover[lo] += 1
                            cover[hi] -= 1
                        }
                        var running: Int32 = 0
                        for i in 0..<count {
                            running += cover[i]
                            if running != 0 { grow[Int(k[i] & 0xFFFF_FFFF)] -= Float(running) }
                        }
                    }
                }
            }
        }
        return sums
    }
}
