import Foundation
import Testing
import TripletCore
import TripletLosses

// MARK: - Double-precision reference of the margin-range triplet loss

/// The triplet margin loss computed the slow, obvious way: every valid triplet, Double precision.
enum Reference {
    /// d(i, j) = ‖x̂ᵢ − x̂ⱼ‖ with x̂ = x / max(‖x‖, 1e-12), or on raw rows.
    static func euclidean(_ x: Tensor, normalized: Bool = true) -> [[Double]] {
        let rows: [[Double]] = (0..<x.rowCount).map { i in
            let r = x.row(i).map(Double.init)
            guard normalized else { return r }
            let norm = max(r.reduce(0) { $0 + $1 * $1 }.squareRoot(), 1e-12)
            return r.map { $0 / norm }
        }
        return rows.map { u in rows.map { v in zip(u, v).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot() }
        }
    }

    /// Whether TripletMarginMiner's rule keeps margin m (nil type: every triplet).
    static func keeps(_ m: Double, type: TripletMarginMiner.TripletType?, minerMargin mu: Double) -> Bool {
        switch type {
        case nil: return true
        case .all?: return m <= mu
        case .hard?: return m <= mu && m <= 0
        case .semihard?: return m > 0 && m <= mu
        case .easy?: return m > mu
        }
    }

    struct Result {
        var selected: [Triplet] = []
        var sum = 0.0
        var active = 0
        /// The smallest distance of any margin or violation to a decision boundary (0, μ, α).
        var gap = Double.infinity

        func value(_ reducer: Reducer) -> Double {
            guard active > 0 else { return 0 }
            switch reducer {
            case .sum: return sum
            case .mean: return sum / Double(selected.count)
            case .meanNonZero: return sum / Double(active)
            }
        }
    }

    static func hinge(
        _ x: Tensor, labels: [Int], margin: Float, type: TripletMarginMiner.TripletType?, minerMargin: Float
    ) -> Result {
        let d = euclidean(x)
        let alpha = Double(margin), mu = Double(minerMargin)
        var r = Result()
        for t in Triplet.allValid(labels: labels) {
            let dap = d[t.anchor][t.positive], dan = d[t.anchor][t.negative]
            let m = dan - dap
            r.gap = min(r.gap, abs(m), abs(m - mu), abs(m - alpha))
            guard keeps(m, type: type, minerMargin: mu) else { continue }
            r.selected.append(t)
            let l = max(0, dap - dan + alpha)
            if l > 0 {
                r.active += 1
                r.sum += l
            }
        }
        return r
    }
}

/// A miner that returns a fixed list, to run the list kernel on a chosen selection.
struct FixedListMiner: TripletMiner {
    let list: [Triplet]
    func mine(_ distances: DistanceMatrix, labels: [Int]) -> MinedTriplets { .list(list) }
}

func maxAbs(_ t: Tensor) -> Float { t.scalars.map(abs).max() ?? 0 }

/// |a − b| ≤ tolerance · max|b| entrywise (plus a tiny absolute floor).
func expectClose(
    _ a: Tensor, _ b: Tensor, relative tolerance: Float, _ what: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(a.shape == b.shape, sourceLocation: sourceLocation)
    let bound = tolerance * max(maxAbs(b), 1e-6)
    let worst = zip(a.scalars, b.scalars).map { abs($0 - $1) }.max() ?? 0
    #expect(worst <= bound, "\(what): max difference \(worst) > \(bound)", sourceLocation: sourceLocation)
}

func expectClose(
    _ a: Float, _ b: Double, relative tolerance: Double, _ what: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(
        abs(Double(a) - b) <= tolerance * max(abs(b), 1e-6), "\(what): \(a) vs \(b)", sourceLocation: sourceLocation)
}

// MARK: - Tests

@Suite("Loss properties")
struct PropertyTests {
    // MARK: Permutation equivariance

    static let permutationLosses: [LossCase] = [
        LossCase(name: "triplet") { try TripletMarginLoss(margin: 0.2)($0, labels: $1) },
        LossCase(name: "triplet smooth swap") {
            try TripletMarginLoss(margin: 0.2, smooth: true, swap: true)($0, labels: $1)
        },
        LossCase(name: "triplet semihard") {
            try TripletMarginLoss(margin: 0.2, miner: TripletMarginMiner(margin: 0.2, type: .semihard))($0, labels: $1)
        },
        LossCase(name: "triplet batch-hard") {
            try TripletMarginLoss(margin: 0.2, miner: BatchHardMiner())($0, labels: $1)
        },
        LossCase(name: "contrastive") { try ContrastiveLoss(positiveMargin: 0.2, negativeMargin: 1.2)($0, labels: $1) },
        LossCase(name: "contrastive MS") { try ContrastiveLoss(miner: MultiSimilarityMiner())($0, labels: $1) },
        LossCase(name: "ntxent") { try NTXentLoss(temperature: 0.2)($0, labels: $1) },
    ]

    /// (B, D, tolerance): B·B·D ≤ 2²¹ is computed pair by pair, 160·160·128 through SYRK.
    @Test(arguments: permutationLosses, [(12, 5, Float(1e-5)), (30, 8, 1e-5), (160, 128, 1e-4)])
    func permutingTheBatchPermutesTheGradient(_ c: LossCase, size: (b: Int, d: Int, tolerance: Float)) throws {
        for seed in [UInt64(1), 2] {
            let (x, labels) = Fixture.batch(b: size.b, d: size.d, seed: seed)
            var g = SeededGenerator(seed: seed &+ 100)
            let perm = Array(0..<size.b).shuffled(using: &g)
            var px = x
            for i in 0..<size.b {
                for k in 0..<size.d { px[i, k] = x[perm[i], k] }
            }
            let out = try c.run(x, labels)
            let pout = try c.run(px, perm.map { labels[$0] })
            #expect(out.value > 0, "\(c.name): the case does not exercise the loss")
            #expect(
                abs(pout.value - out.value) <= size.tolerance * max(abs(out.value), 1e-6),
                "\(c.name) B=\(size.b): value \(pout.value) after permutation vs \(out.value)")
            var back = Tensor.zeros(x.shape)
            for i in 0..<size.b {
                for k in 0..<size.d { back[perm[i], k] = pout.gradient[i, k] }
            }
            expectClose(back, out.gradient, relative: size.tolerance, "\(c.name) B=\(size.b) gradient")
            #expect(pout.stats.candidateCount == out.stats.candidateCount)
            if size.b <= 30 { #expect(pout.stats.activeCount == out.stats.activeCount) }
        }
    }

    // MARK: Hinge: non-negative, finite

    @Test func hingeLossIsNonNegativeWithFiniteGradient() throws {
        let miners: [(any TripletMiner)?] = [
            nil, TripletMarginMiner(margin: 0.3, type: .semihard), TripletMarginMiner(margin: 0.1, type: .hard),
            TripletMarginMiner(margin: 0.1, type: .easy), BatchHardMiner(), BatchEasyHardMiner(),
        ]
        for seed in UInt64(0)..<60 {
            var g = SeededGenerator(seed: seed)
            let b = Int.random(in: 3...16, using: &g), d = Int.random(in: 1...6, using: &g)
            let (x, labels) = Fixture.batch(b: b, d: d, classes: Int.random(in: 1...4, using: &g), seed: seed)
            let (_, distance) = Fixture.distances[Int(seed) % Fixture.distances.count]
            let loss = TripletMarginLoss(
                margin: Float.random(in: 0...1, using: &g), distance: distance, miner: miners[Int(seed) % miners.count],
                reducer: Reducer.allCases[Int(seed / 7) % 3], swap: seed % 5 == 0)
            let out = try loss(x, labels: labels)
            #expect(out.value >= 0 && out.value.isFinite, "seed \(seed): value \(out.value)")
            #expect(out.gradient.scalars.allSatisfy { $0.isFinite }, "seed \(seed): non-finite gradient")
            #expect(out.stats.activeCount <= out.stats.candidateCount)
            let facenet = try FaceNetSemihardLoss(margin: loss.margin, distance: distance)(x, labels: labels)
            #expect(facenet.value >= 0 && facenet.value.isFinite && facenet.gradient.scalars.allSatisfy { $0.isFinite })
        }
    }

    // MARK: Streaming hinge == reference

    static let types: [TripletMarginMiner.TripletType?] = [nil, .all, .hard, .semihard, .easy]

    @Test(arguments: types, Reducer.allCases)
    func streamingHingeMatchesReference(type: TripletMarginMiner.TripletType?, reducer: Reducer) throws {
        var checked = 0
        for (margin, minerMargin) in [(Float(0.3), Float(0.15)), (0.1, 0.2)] {
            for (b, d, seed) in [(12, 4, UInt64(1)), (12, 3, 2), (9, 5, 3), (30, 6, 4)] {
                let (x, labels) = Fixture.batch(b: b, d: d, seed: seed)
                let ref = Reference.hinge(x, labels: labels, margin: margin, type: type, minerMargin: minerMargin)
                guard ref.gap > 1e-5 else { continue }  // a margin on a boundary: float and double may disagree
                checked += 1
                let miner = type.map { TripletMarginMiner(margin: minerMargin, type: $0) }
                let out = try TripletMarginLoss(margin: margin, miner: miner, reducer: reducer)(x, labels: labels)
                let what = "\(String(describing: type)) \(reducer) α=\(margin) μ=\(minerMargin) B=\(b)"
                expectClose(out.value, ref.value(reducer), relative: 1e-4, what)
                #expect(out.stats.candidateCount == ref.selected.count, "\(what)")
                #expect(out.stats.activeCount == ref.active, "\(what)")
            }
        }
        #expect(checked >= 6)
    }

    @Test(arguments: TripletMarginMiner.TripletType.allCases, [Float(0), 0.1, 0.4])
    func minerSelectsTheReferenceTriplets(type: TripletMarginMiner.TripletType, minerMargin: Float) throws {
        var checked = 0
        for (b, d, seed) in [(12, 4, UInt64(1)), (10, 3, 5), (24, 5, 6)] {
            let (x, labels) = Fixture.batch(b: b, d: d, seed: seed)
            let ref = Reference.hinge(x, labels: labels, margin: 0.05, type: type, minerMargin: minerMargin)
            guard ref.gap > 1e-5 else { continue }
            checked += 1
            let mined = try TripletMarginMiner(margin: minerMargin, type: type).triplets(embeddings: x, labels: labels)
            #expect(mined == mined.sorted())
            #expect(
                Set(mined) == Set(ref.selected),
                "\(type) μ=\(minerMargin) B=\(b): \(mined.count) vs \(ref.selected.count)")
            #expect(mined.count == ref.selected.count)
        }
        #expect(checked >= 2)
    }

    // MARK: Range miner == the same triplets as a list

    @Test(arguments: TripletMarginMiner.TripletType.allCases, [false, true])
    func rangeMinerEqualsItsTripletList(type: TripletMarginMiner.TripletType, swap: Bool) throws {
        // (B, D, miner margin, distance): B = 40 with a thin semihard band gives a short list (the sparse gradient path).
        let setups: [(Int, Int, Float, Distance)] = [
            (12, 4, 0.2, .euclidean()), (12, 5, 0.3, .cosine), (40, 6, 0.005, .euclidean()),
        ]
        for (b, d, minerMargin, distance) in setups {
            let (x, labels) = Fixture.batch(b: b, d: d, seed: UInt64(b + d))
            let miner = TripletMarginMiner(margin: minerMargin, type: type)
            let list = try miner.triplets(embeddings: x, labels: labels, distance: distance)
            for smooth in [true, false] {
                for reducer in Reducer.allCases {
                    let ranged = try TripletMarginLoss(
                        margin: 0.1, distance: distance, miner: miner, reducer: reducer, smooth: smooth, swap: swap)(
                            x, labels: labels)
                    let listed = try TripletMarginLoss(
                        margin: 0.1, distance: distance, miner: FixedListMiner(list: list), reducer: reducer,
                        smooth: smooth, swap: swap)(x, labels: labels)
                    let what = "\(type) swap=\(swap) smooth=\(smooth) \(reducer) B=\(b) (\(list.count) triplets)"
                    #expect(
                        abs(ranged.value - listed.value) <= 1e-5 * max(abs(listed.value), 1e-6),
                        "\(what): \(ranged.value) vs \(listed.value)")
                    expectClose(ranged.gradient, listed.gradient, relative: 1e-5, what)
                    #expect(ranged.stats == listed.stats, "\(what)")
                    if smooth && !list.isEmpty { #expect(ranged.value > 0) }
                }
            }
        }
    }

    // MARK: Normalised distances are scale-invariant

    /// x / max(‖x‖, 1e-12) is the same for x and s·x (s > 0) while ‖x‖ ≥ 1e-12: a normalising loss must give the
    /// same value, and a gradient scaled by 1/s, for any finite batch — or throw, never silently change.
    @Test(arguments: [Float(1e-3), 1e3, 1e18, 1e19])
    func normalisedLossesAreScaleInvariant(scale: Float) throws {
        let (x, labels) = Fixture.batch(b: 10, d: 4, seed: 8)
        var scaled = x
        for k in scaled.scalars.indices { scaled.scalars[k] *= scale }
        let losses: [LossCase] = [
            LossCase(name: "triplet euclid") { try TripletMarginLoss(margin: 0.2)($0, labels: $1) },
            LossCase(name: "ntxent cosine") { try NTXentLoss(temperature: 0.2)($0, labels: $1) },
            LossCase(name: "contrastive cosine") {
                try ContrastiveLoss(positiveMargin: 0.8, negativeMargin: 0.1, distance: .cosine)($0, labels: $1)
            },
        ]
        for c in losses {
            let reference = try c.run(x, labels)
            let out: LossOutput
            do { out = try c.run(scaled, labels) } catch is TripletError { continue }
            #expect(
                abs(out.value - reference.value) <= 1e-4 * abs(reference.value),
                "\(c.name) ×\(scale): value \(out.value), unscaled \(reference.value)")
            var rescaled = out.gradient
            for k in rescaled.scalars.indices { rescaled.scalars[k] *= scale }
            expectClose(rescaled, reference.gradient, relative: 1e-3, "\(c.name) ×\(scale): scale · gradient")
        }
    }

    // MARK: DistanceMatrix accuracy on the Gram path

    /// Rows 0 and 1: norm 100, differing by 1e-4 in one coordinate; 200 × 64 is above the pair-by-pair limit.
    static func nearDuplicateBatch() -> (x: Tensor, labels: [Int]) {
        var (x, labels) = Fixture.batch(b: 200, d: 64, classes: 10, seed: 77)
        let norm = x.row(0).reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
        for k in 0..<64 {
            x[0, k] *= 100 / norm
            x[1, k] = x[0, k]
        }
        x[1, 5] += 1e-4
        labels[1] = (labels[0] + 1) % 10  // the near pair is a (violating) negative pair
        return (x, labels)
    }

    @Test func gramPathIsAccurateForNearDuplicateRows() throws {
        let (x, _) = Self.nearDuplicateBatch()
        #expect(200 * 200 * 64 > 1 << 21)
        let m = try DistanceMatrix(embeddings: x, distance: .euclidean(normalized: false))
        let exact = Reference.euclidean(x, normalized: false)
        #expect(exact[0][1] > 5e-5 && exact[0][1] < 2e-4)
        #expect(
            abs(Double(m.value(0, 1)) - exact[0][1]) <= 1e-3 * exact[0][1],
            "d(0,1) = \(m.value(0, 1)), exact \(exact[0][1])")
        #expect(m.value(0, 1) == m.value(1, 0))
        var worst = 0.0
        for i in 0..<200 {
            for j in 0..<200 where i != j {
                worst = max(worst, abs(Double(m.value(i, j)) - exact[i][j]) / exact[i][j])
            }
            #expect(m.value(i, i) == 0)
        }
        #expect(worst <= 1e-3, "largest relative distance error \(worst)")
        // The squared distance goes through the same path.
        let sq = try DistanceMatrix(embeddings: x, distance: .squaredEuclidean(normalized: false))
        #expect(abs(Double(sq.value(0, 1)) - exact[0][1] * exact[0][1]) <= 2e-3 * exact[0][1] * exact[0][1])
    }

    @Test func tripletGradientIsFiniteForNearDuplicateRows() throws {
        let (x, labels) = Self.nearDuplicateBatch()
        let out = try TripletMarginLoss(margin: 0.05, distance: .euclidean(normalized: false))(x, labels: labels)
        #expect(out.value.isFinite && out.value > 0)
        #expect(out.gradient.scalars.allSatisfy { $0.isFinite })
        #expect(maxAbs(out.gradient) > 0)
    }

    /// Beyond finiteness: the forward pass recomputes near-duplicate pairs exactly, so the gradient should not
    /// lose them to cancellation either (rows 0 and 1 carry the large 1/d(0,1) coefficients).
    @Test func tripletGradientIsAccurateForNearDuplicateRows() throws {
        let (x, labels) = Self.nearDuplicateBatch()
        let out = try TripletMarginLoss(margin: 0.05, distance: .euclidean(normalized: false))(x, labels: labels)
        // Reference gradient in Double: dL/dxᵢ = Σⱼ (Gᵢⱼ + Gⱼᵢ)(xᵢ − xⱼ)/dᵢⱼ / active, G = ±1 per active triplet.
        let d = Reference.euclidean(x, normalized: false)
        var gPair = [[Double]](repeating: [Double](repeating: 0, count: 200), count: 200)
        var active = 0
        for a in 0..<200 {
            for p in 0..<200 where p != a && labels[p] == labels[a] {
                for n in 0..<200 where labels[n] != labels[a] && d[a][p] - d[a][n] + 0.05 > 0 {
                    gPair[a][p] += 1
                    gPair[a][n] -= 1
                    active += 1
                }
            }
        }
        #expect(out.stats.activeCount == active)
        var reference = Tensor.zeros(x.shape)
        for i in 0..<200 {
            var row = [Double](repeating: 0, count: 64)
            for j in 0..<200 where j != i && gPair[i][j] + gPair[j][i] != 0 {
                let w = (gPair[i][j] + gPair[j][i]) / d[i][j]
                for k in 0..<64 { row[k] += w * (Double(x[i, k]) - Double(x[j, k])) }
            }
            for k in 0..<64 { reference[i, k] = Float(row[k] / Double(active)) }
        }
        let worst = zip(out.gradient.scalars, reference.scalars).map { abs($0 - $1) }.max()!
        expectClose(out.gradient, reference, relative: 1e-3, "triplet gradient with a near-duplicate negative pair")
    }
}
