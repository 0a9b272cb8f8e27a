import TripletCore

/// The summed (unreduced) triplet loss of a batch, its counts, and dL/dd' for every touched pair.
struct TripletSums {
    var loss: Double = 0
    var candidates = 0
    var active = 0
    var gradient: PairGradient

    init(gradient: PairGradient) { self.gradient = gradient }

    /// The totals of per-anchor sums, added in anchor order (the same result for any thread count).
    init(gradient: PairGradient, adding perAnchor: [(loss: Double, candidates: Int, active: Int)]) {
        self.gradient = gradient
        for s in perAnchor {
            loss += s.loss
            candidates += s.candidates
            active += s.active
        }
    }
}

/// The per-triplet rule l = h(d'(a,p) − d'(a,n) + margin), h = relu (hinge) or softplus (smooth),
/// optionally with the swap d'(a,n) := min(d'(a,n), d'(p,n)).
struct TripletTerm {
    var margin: Float
    var smooth: Bool
    var swap: Bool

    /// The loss of one triplet and dl/d(violation).
    @inline(__always)
    func evaluate(_ violation: Float) -> (loss: Double, slope: Float) {
        if smooth {
            let v = Double(violation)
            return (Softplus.value(v), Float(Softplus.derivative(v)))
        }
        return violation > 0 ? (Double(violation), 1) : (0, 0)
    }
}

/// The three ways a triplet loss visits its triplets.
enum TripletKernels {
    /// Chooses the fastest kernel that is exact for this selection and rule.
    static func run(_ d: DistanceMatrix, labels: [Int], mined: MinedTriplets, term: TripletTerm) -> TripletSums {
        switch mined {
        case .list(let triplets):
            return list(d, triplets: triplets, term: term)
        case .marginRange(let range) where !term.smooth && !term.swap:
            return streamHinge(d, labels: labels, range: range, margin: term.margin)
        case .marginRange(let range):
            return enumerate(d, labels: labels, range: range, term: term)
        }
    }

    /// An explicit list of triplets; a sparse gradient unless the list is long.
    static func list(_ d: DistanceMatrix, triplets: [Triplet], term: TripletTerm) -> TripletSums {
        let n = d.count
        var sums = TripletSums(
            gradient: triplets.count * 25 < n * n ? .sparse(count: n, capacity: 2 * triplets.count) : .dense(like: d))
        d.dissimilarities.withUnsafeBufferPointer { dp in
            for t in triplets {
                let loss = visit(dp.baseAddress!, n, t.anchor, t.positive, t.negative, term) {
                    sums.gradient.add($0, $1, $2)
                }
                sums.candidates += 1
                if loss > 0 {
                    sums.active += 1
                    sums.loss += loss
                }
            }
        }
        return sums
    }

    /// One triplet's loss; its gradient goes to `add(i, j, dL/dd'(i, j))`.
    @inline(__always)
    private static func visit(
        _ dp: UnsafePointer<Float>, _ n: Int, _ a: Int, _ p: Int, _ q: Int, _ term: TripletTerm,
        add: (Int, Int, Float) -> Void
    ) -> Double {
        let dap = dp[a * n + p], dan = dp[a * n + q]
        let dpn = term.swap ? dp[p * n + q] : dan
        let (loss, slope) = term.evaluate(dap - min(dan, dpn) + term.margin)
        guard loss > 0 else { return 0 }
        add(a, p, slope)
        // torch.min splits the gradient evenly between equal arguments.
        if dan < dpn || !term.swap {
            add(a, q, -slope)
        } else if dpn < dan {
            add(p, q, -slope)
        } else {
            add(a, q, -slope / 2)
            add(p, q, -slope / 2)
        }
        return loss
    }

    /// Every triplet of a margin range, visited one by one without being stored: O(B²) memory, O(B³) time.
    /// Anchors run in parallel unless the swap makes them write outside their own row.
    static func enumerate(_ d: DistanceMatrix, labels: [Int], range: MarginRange, term: TripletTerm) -> TripletSums {
        let n = d.count
        var gradient = PairGradient.dense(like: d)
        var perAnchor = [(loss: Double, candidates: Int, active: Int)](repeating: (0, 0, 0), count: n)
        d.dissimilarities.withUnsafeBufferPointer { dp in
            gradient.dense.withUnsafeMutableBufferPointer { gp in
                perAnchor.withUnsafeMutableBufferPointer { out in
                    let dp = dp.baseAddress!, g = gp.baseAddress!
                    Parallel.forEachChunk(n, threads: term.swap ? 1 : d.threads) { anchors in
                        for a in anchors {
                            var sums = (loss: 0.0, candidates: 0, active: 0)
                            for p in 0..<n where p != a && labels[p] == labels[a] {
                                let dap = dp[a * n + p]
                                for q in 0..<n where labels[q] != labels[a] {
                                    guard range.contains(positive: dap, negative: dp[a * n + q]) else { continue }
                                    sums.candidates += 1
                                    let loss = visit(dp, n, a, p, q, term) { g[$0 * n + $1] += $2 }
                                    if loss > 0 {
                                        sums.active += 1
                                        sums.loss += loss
                                    }
                                }
                            }
                            out[a] = sums
                        }
                    }
                }
            }
        }
        return TripletSums(gradient: gradient, adding: perAnchor)
    }
}
