import TripletCore

extension TripletKernels {
    /// The hinge loss over every valid triplet whose margin lies in `range`, without visiting triplets:
    /// each anchor sorts its negatives once; for each positive the mined and the active negatives are
    /// index intervals of that order (binary search), whose loss is a count times d'(a,p) + margin minus
    /// a prefix sum, and whose gradient is spread over the negatives with a difference array.
    /// O(B²) memory and O(B² log B) time; anchors run in parallel.
    static func streamHinge(_ d: DistanceMatrix, labels: [Int], range: MarginRange, margin: Float) -> TripletSums {
        let n = d.count
        var gradient = PairGradient.dense(count: n)
        var perAnchor = [(loss: Double, candidates: Int, active: Int)](repeating: (0, 0, 0), count: n)
        d.dissimilarities.withUnsafeBufferPointer { dp in
            gradient.dense.withUnsafeMutableBufferPointer { gp in
                perAnchor.withUnsafeMutableBufferPointer { out in
                    let dp = dp.baseAddress!, g = gp.baseAddress!
                    Parallel.forEachChunk(n, threads: d.threads) { anchors in
                        var keys = [UInt64](), values = [Float](), prefix = [Double](), cover = [Int32]()
                        for a in anchors {
                            let row = dp + a * n, grow = g + a * n, label = labels[a]
                            keys.removeAll(keepingCapacity: true)
                            for j in 0..<n where labels[j] != label {
                                keys.append(UInt64(SortKey.encode(row[j])) << 32 | UInt64(j))
                            }
                            let count = keys.count
                            guard count > 0 else { continue }
                            keys.sort()
                            values.removeAll(keepingCapacity: true)
                            prefix.removeAll(keepingCapacity: true)
                            prefix.append(0)
                            for key in keys {
                                let v = SortKey.decode(UInt32(truncatingIfNeeded: key >> 32))
                                values.append(v)
                                prefix.append(prefix[prefix.count - 1] + Double(v))
                            }
                            cover.removeAll(keepingCapacity: true)
                            cover.append(contentsOf: repeatElement(0, count: count + 1))
                            var sums = (loss: 0.0, candidates: 0, active: 0)
                            values.withUnsafeBufferPointer { v in
                                for p in 0..<n where p != a && labels[p] == label {
                                    let dap = row[p]
                                    // Margins m = v[k] − dap grow with k, the violations dap − v[k] + margin shrink.
                                    let lo = range.lower == -.infinity ? 0 : firstIndex(v) { $0 - dap > range.lower }
                                    let minedEnd = range.upper == .infinity ? count : firstIndex(v) { $0 - dap > range.upper }
                                    let activeEnd = firstIndex(v) { !(dap - $0 + margin > 0) }
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
                            }
                            var running: Int32 = 0
                            for k in 0..<count {
                                running += cover[k]
                                if running != 0 { grow[Int(keys[k] & 0xFFFF_FFFF)] -= Float(running) }
                            }
                            out[a] = sums
                        }
                    }
                }
            }
        }
        var total = TripletSums(gradient: gradient)
        for s in perAnchor {
            total.loss += s.loss
            total.candidates += s.candidates
            total.active += s.active
        }
        return total
    }

    /// The first index whose value satisfies a predicate that is false, then true, along the sorted values.
    @inline(__always)
    static func firstIndex(_ v: UnsafeBufferPointer<Float>, where predicate: (Float) -> Bool) -> Int {
        var lo = 0, hi = v.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if predicate(v[mid]) { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }
}

/// An order-preserving map from Float to UInt32, so (value, index) pairs sort as plain integers.
enum SortKey {
    @inline(__always)
    static func encode(_ x: Float) -> UInt32 {
        let bits = x.bitPattern
        return bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000
    }

    @inline(__always)
    static func decode(_ key: UInt32) -> Float {
        Float(bitPattern: key & 0x8000_0000 != 0 ? key & 0x7FFF_FFFF : ~key)
    }
}
