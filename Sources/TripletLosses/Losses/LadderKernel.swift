import TripletCore

/// The ladder loss of one batch, streamed: no term is listed.
///
/// Pass 1 sorts every anchor's row of dissimilarities d' = −s once (radix sort, kept as an index order)
/// and, per level, splits the sorted row into its positives (relevance ≥ l) and negatives (< l), both
/// still ascending. A negative k is active for the positive p when d'(p) − d'(k) + margin > 0: a prefix
/// of the negatives whose end only moves forward as d'(p) grows, so a level costs O(B) per anchor and its
/// loss is c·(d'(p) + margin) − (prefix sum of the first c negatives). The level's active count nₗ is
/// known only once every anchor is done; pass 2 sweeps again and writes dL/dd' = weightₗ/nₗ per term
/// (+1 at p, −1 at each of its active negatives, through a histogram of the prefix ends).
struct LadderKernel {
    let matrix: DistanceMatrix
    let relevance: RelevanceMatrix
    let margins: [Float]
    let weights: [Float]

    /// Loss, counts and the sums the statistics need, of one anchor at one level.
    struct LevelSums {
        var loss = 0.0
        var active = 0
        var candidates = 0
    }

    func run(like embeddings: Tensor) -> LadderOutput {
        let n = matrix.count, levelCount = margins.count, width = max(n - 1, 0)
        let top = Int32(levelCount)
        var order = [Int32](repeating: 0, count: n * width)
        var perLevel = [LevelSums](repeating: LevelSums(), count: n * levelCount)
        // Per anchor: Σ s and count at the top level, then at level 0.
        var pairSums = [(top: Double, topCount: Int, zero: Double, zeroCount: Int)](
            repeating: (0, 0, 0, 0), count: n)
        matrix.dissimilarities.withUnsafeBufferPointer { dp in
            relevance.levels.withUnsafeBufferPointer { rp in
                order.withUnsafeMutableBufferPointer { op in
                    perLevel.withUnsafeMutableBufferPointer { out in
                        pairSums.withUnsafeMutableBufferPointer { pairs in
                            Parallel.forEachChunk(n, threads: matrix.threads) { anchors in
                                var sweep = LadderSweep(capacity: n)
                                for a in anchors {
                                    let row = dp.baseAddress! + a * n, rel = rp.baseAddress! + a * n
                                    let sorted = op.baseAddress! + a * width
                                    sweep.sortRow(row, n, skipping: a, into: sorted)
                                    for l in 0..<levelCount {
                                        out[a * levelCount + l] = sweep.level(
                                            row, rel, sorted, width, level: Int32(l + 1), margin: margins[l],
                                            gradient: nil)
                                    }
                                    var sums = (top: 0.0, topCount: 0, zero: 0.0, zeroCount: 0)
                                    for j in 0..<n where j != a {
                                        if rel[j] == top {
                                            sums.top -= Double(row[j])
                                            sums.topCount += 1
                                        } else if rel[j] == 0 {
                                            sums.zero -= Double(row[j])
                                            sums.zeroCount += 1
                                        }
                                    }
                                    pairs[a] = sums
                                }
                            }
                        }
                    }
                }
            }
        }
        var levelTotals = [LevelSums](repeating: LevelSums(), count: levelCount)
        for a in 0..<n {
            for l in 0..<levelCount {
                let s = perLevel[a * levelCount + l]
                levelTotals[l].loss += s.loss
                levelTotals[l].active += s.active
                levelTotals[l].candidates += s.candidates
            }
        }
        let scales = (0..<levelCount).map { l in
            levelTotals[l].active > 0 ? Double(weights[l]) / Double(levelTotals[l].active) : 0
        }
        let value = (0..<levelCount).reduce(0.0) { $0 + scales[$1] * levelTotals[$1].loss }
        let (topSum, topCount, zeroSum, zeroCount) = pairSums.reduce((0.0, 0, 0.0, 0)) {
            ($0.0 + $1.top, $0.1 + $1.topCount, $0.2 + $1.zero, $0.3 + $1.zeroCount)
        }
        let stats = LossStats(
            candidateCount: levelTotals.reduce(0) { $0 + $1.candidates },
            activeCount: levelTotals.reduce(0) { $0 + $1.active },
            meanPositiveDistance: topCount > 0 ? topSum / Double(topCount) : 0,
            meanNegativeDistance: zeroCount > 0 ? zeroSum / Double(zeroCount) : 0)
        let output = LadderOutput(
            loss: .zero(like: embeddings, stats: stats), activeTermsPerLevel: levelTotals.map(\.active),
            candidateTermsPerLevel: levelTotals.map(\.candidates))
        guard scales.contains(where: { $0 > 0 }) else { return output }

        var gradient = PairGradient.dense(like: matrix, zeroed: false)
        matrix.dissimilarities.withUnsafeBufferPointer { dp in
            relevance.levels.withUnsafeBufferPointer { rp in
                order.withUnsafeBufferPointer { op in
                    gradient.dense.withUnsafeMutableBufferPointer { gp in
                        Parallel.forEachChunk(n, threads: matrix.threads) { anchors in
                            var sweep = LadderSweep(capacity: n)
                            for a in anchors {
                                let grow = gp.baseAddress! + a * n
                                grow.update(repeating: 0, count: n)
                                for l in 0..<levelCount where scales[l] > 0 {
                                    _ = sweep.level(
                                        dp.baseAddress! + a * n, rp.baseAddress! + a * n, op.baseAddress! + a * width,
                                        width, level: Int32(l + 1), margin: margins[l],
                                        gradient: (grow, Float(scales[l])))
                                }
                            }
                        }
                    }
                }
            }
        }
        var result = output
        result.loss.value = Float(value)
        result.loss.gradient = matrix.backward(gradient, scale: 1)
        return result
    }
}

/// Per-thread buffers of the ladder sweeps, reused across anchors and levels.
struct LadderSweep {
    var keys: [UInt64]
    var spare: [UInt64]
    var positives: [Int32]
    var negatives: [Int32]
    var negativeValues: [Float]
    var prefix: [Double]
    var ends: [Int32]

    init(capacity: Int) {
        keys = [UInt64](repeating: 0, count: capacity)
        spare = keys
        positives = [Int32](repeating: 0, count: capacity)
        negatives = positives
        negativeValues = [Float](repeating: 0, count: capacity)
        prefix = [Double](repeating: 0, count: capacity + 1)
        ends = [Int32](repeating: 0, count: capacity + 1)
    }

    /// Writes the indices j ≠ `skipped` of `row` in increasing row[j] (ties: lower index first) to `sorted`.
    mutating func sortRow(
        _ row: UnsafePointer<Float>, _ n: Int, skipping skipped: Int, into sorted: UnsafeMutablePointer<Int32>
    ) {
        keys.withUnsafeMutableBufferPointer { k in
            var count = 0
            for j in 0..<n where j != skipped {
                k[count] = UInt64(SortKey.encode(row[j])) << 32 | UInt64(j)
                count += 1
            }
            spare.withUnsafeMutableBufferPointer { s in RadixSort.sortUpperHalf(k.baseAddress!, s.baseAddress!, count) }
            for i in 0..<count { sorted[i] = Int32(truncatingIfNeeded: k[i] & 0xFFFF_FFFF) }
        }
    }

    /// One anchor at one level: its loss and counts, or (with `gradient`) dL/dd' added to the anchor's
    /// gradient row, `scale` per active term.
    mutating func level(
        _ row: UnsafePointer<Float>, _ rel: UnsafePointer<Int32>, _ sorted: UnsafePointer<Int32>, _ count: Int,
        level: Int32, margin: Float, gradient: (row: UnsafeMutablePointer<Float>, scale: Float)?
    ) -> LadderKernel.LevelSums {
        var sums = LadderKernel.LevelSums()
        positives.withUnsafeMutableBufferPointer { pos in
            negatives.withUnsafeMutableBufferPointer { neg in
                negativeValues.withUnsafeMutableBufferPointer { negV in
                    prefix.withUnsafeMutableBufferPointer { prefix in
                        ends.withUnsafeMutableBufferPointer { ends in
                            var posCount = 0, negCount = 0
                            for t in 0..<count {
                                let j = sorted[t]
                                if rel[Int(j)] >= level {
                                    pos[posCount] = j
                                    posCount += 1
                                } else {
                                    neg[negCount] = j
                                    negV[negCount] = row[Int(j)]
                                    negCount += 1
                                }
                            }
                            sums.candidates = posCount * negCount
                            guard posCount > 0, negCount > 0 else { return }
                            if gradient == nil {
                                prefix[0] = 0
                                for i in 0..<negCount { prefix[i + 1] = prefix[i] + Double(negV[i]) }
                            } else {
                                for i in 0...negCount { ends[i] = 0 }
                            }
                            // Positives in increasing d'(p): the active prefix of the negatives only grows.
                            var end = 0, covering: Int32 = 0
                            for t in 0..<posCount {
                                let p = Int(pos[t]), dp = row[p]
                                while end < negCount && dp - negV[end] + margin > 0 { end += 1 }
                                guard end > 0 else { continue }
                                sums.active += end
                                if let gradient {
                                    gradient.row[p] += gradient.scale * Float(end)
                                    ends[end] += 1
                                    covering += 1
                                } else {
                                    sums.loss += Double(end) * (Double(dp) + Double(margin)) - prefix[end]
                                }
                            }
                            guard let gradient else { return }
                            // Negative i is active for every positive whose prefix end exceeds i.
                            for i in 0..<negCount where covering > 0 {
                                gradient.row[Int(neg[i])] -= gradient.scale * Float(covering)
                                covering -= ends[i + 1]
                            }
                        }
                    }
                }
            }
        }
        return sums
    }
}
