import Testing
import TripletCore
import TripletLosses

// MARK: - Shared fixtures (used by the other test files of this target too)

enum Fixture {
    /// A [b, d] batch of standard normal values and `classes` labels (each used ⌈b/classes⌉ or ⌊b/classes⌋ times), shuffled.
    static func batch(b: Int, d: Int, classes: Int = 3, seed: UInt64) -> (x: Tensor, labels: [Int]) {
        var g = SeededGenerator(seed: seed)
        let scalars = (0..<(b * d)).map { _ in g.nextNormal() }
        var labels = (0..<b).map { $0 % classes }
        labels.shuffle(using: &g)
        return (try! Tensor(shape: [b, d], scalars: scalars), labels)
    }

    /// A few valid triplets of a labelled batch, picked deterministically.
    static func someTriplets(labels: [Int], count: Int, seed: UInt64) -> [Triplet] {
        var g = SeededGenerator(seed: seed)
        var all = Triplet.allValid(labels: labels)
        all.shuffle(using: &g)
        return Array(all.prefix(count))
    }

    static let distances: [(String, Distance)] = [
        ("euclid", .euclidean()), ("euclidRaw", .euclidean(normalized: false)),
        ("sqEuclid", .squaredEuclidean()), ("sqEuclidRaw", .squaredEuclidean(normalized: false)),
        ("cosine", .cosine), ("dot", .dotProduct()),
    ]
}

/// A named loss evaluation on a labelled batch, for parameterised tests.
struct LossCase: Sendable, CustomTestStringConvertible {
    let name: String
    /// The batch shape used by the gradient check.
    var b = 10
    var d = 4
    var seed: UInt64 = 1
    /// Whether the check requires a positive loss (and so a non-zero gradient) on its batch.
    var expectsPositiveLoss = true
    let run: @Sendable (Tensor, [Int]) throws -> LossOutput
    var testDescription: String { name }
}

/// What a finite-difference check found.
struct GradientCheck {
    var compared = 0
    var total = 0
    var mismatches: [String] = []
    var value: Float = 0
    var gradientIsZero = true
    var step: Float = 0
}

/// Compares the analytic gradient of `f` at `x` with central differences of its value, skipping coordinates
/// where a kink (hinge, mining switch, reducer count change) makes the one-sided slopes disagree.
func checkGradient(_ f: (Tensor) throws -> LossOutput, at x: Tensor, h: Float = 1e-3) throws -> GradientCheck {
    let base = try f(x)
    var result = GradientCheck(total: x.scalars.count, value: base.value, step: h)
    #expect(base.gradient.shape == x.shape)
    result.gradientIsZero = base.gradient.scalars.allSatisfy { $0 == 0 }
    let f0 = Double(base.value)
    // One-sided slopes are taken over half steps too, so that two kinks on either side of x (a selection that
    // switches at x − h and again at x + h, which the ±h slopes alone cannot see) are caught as well.
    let noise = 8 * Double(base.value.ulp) / Double(h / 2)
    for k in x.scalars.indices {
        var points: [(t: Double, f: Double)] = [(0, f0)]
        for step in [-h, -h / 2, h / 2, h] {
            var y = x
            y.scalars[k] += step
            points.append((Double(y.scalars[k] - x.scalars[k]), Double(try f(y).value)))
        }
        points.sort { $0.t < $1.t }
        let slopes = (0..<4).map { (points[$0 + 1].f - points[$0].f) / (points[$0 + 1].t - points[$0].t) }
        let forward = (points[4].f - f0) / points[4].t, backward = (f0 - points[0].f) / -points[0].t
        let largest = slopes.map(abs).max()!
        guard abs(forward - backward) <= max(0.1 * max(abs(forward), abs(backward)), 1e-3, noise),
            slopes.max()! - slopes.min()! <= max(0.1 * largest, 1e-3, noise)
        else { continue }
        result.compared += 1
        let fd = (points[4].f - points[0].f) / (points[4].t - points[0].t)
        let analytic = Double(base.gradient.scalars[k])
        if abs(fd - analytic) > 2e-3 + 2e-2 * abs(analytic) {
            result.mismatches.append(
                "[\(k / x.rowWidth), \(k % x.rowWidth)]: fd \(fd) (slopes \(slopes)), analytic \(analytic)")
        }
    }
    return result
}

/// The assertions every gradient test makes.
func expectGradientMatches(_ c: LossCase, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let (x, labels) = Fixture.batch(b: c.b, d: c.d, seed: c.seed)
    var check = try checkGradient({ try c.run($0, labels) }, at: x)
    if check.mismatches.count > 0 || check.compared * 10 < check.total * 7 {
        // Retry with a larger step before failing: float noise on flat losses.
        let retry = try checkGradient({ try c.run($0, labels) }, at: x, h: 2e-3)
        if retry.mismatches.count < check.mismatches.count || retry.compared > check.compared { check = retry }
    }
    #expect(check.value.isFinite, sourceLocation: sourceLocation)
    if c.expectsPositiveLoss {
        #expect(
            check.value > 0, "\(c.name): loss is \(check.value): the case does not exercise the gradient",
            sourceLocation: sourceLocation)
    }
    if check.value > 0 {
        #expect(
            !check.gradientIsZero, "loss \(check.value) > 0 with an all-zero gradient", sourceLocation: sourceLocation)
    }
    #expect(
        check.compared * 10 >= check.total * 7,
        "\(c.name): only \(check.compared)/\(check.total) coordinates were smooth", sourceLocation: sourceLocation)
    #expect(
        check.mismatches.isEmpty,
        "\(c.name) (h \(check.step)): \(check.mismatches.count) mismatches: \(check.mismatches.prefix(6))",
        sourceLocation: sourceLocation)
}

// MARK: - Cases

enum GradientCases {
    static func triplet(
        _ name: String, margin: Float = 0.2, distance: Distance, miner: (any TripletMiner)? = nil,
        reducer: Reducer = .mean, smooth: Bool = false, swap: Bool = false
    ) -> LossCase {
        let loss = TripletMarginLoss(
            margin: margin, distance: distance, miner: miner, reducer: reducer, smooth: smooth, swap: swap)
        return LossCase(name: name) { try loss($0, labels: $1) }
    }

    /// Every distance × hinge/smooth × swap, no miner.
    static let tripletDistances: [LossCase] = Fixture.distances.flatMap { (dn, distance) in
        [false, true].flatMap { smooth in
            [false, true].map { swap in
                // Dot-product dissimilarities are on the scale of D: give them a wider margin.
                triplet(
                    "triplet \(smooth ? "smooth" : "hinge") swap=\(swap) \(dn)",
                    margin: dn == "dot" || dn.hasSuffix("Raw") ? 1 : 0.2, distance: distance, smooth: smooth, swap: swap
                )
            }
        }
    }

    /// Reducers, on two distances.
    static let tripletReducers: [LossCase] = [("euclid", Distance.euclidean()), ("cosine", Distance.cosine)].flatMap {
        (dn, distance) in
        Reducer.allCases.flatMap { reducer in
            [false, true].map { smooth in
                triplet(
                    "triplet \(smooth ? "smooth" : "hinge") \(reducer) \(dn)", distance: distance, reducer: reducer,
                    smooth: smooth)
            }
        }
    }

    /// Every miner × hinge/smooth × swap, on the normalised Euclidean distance and the cosine similarity.
    static let tripletMiners: [LossCase] = {
        let miners: [(String, any TripletMiner, Float)] = [
            ("all", TripletMarginMiner(margin: 0.2, type: .all), 0.2),
            ("hard", TripletMarginMiner(margin: 0.2, type: .hard), 0.2),
            ("semihard", TripletMarginMiner(margin: 0.3, type: .semihard), 0.2),
            ("easy", TripletMarginMiner(margin: 0.1, type: .easy), 0.5),
            ("batchHard", BatchHardMiner(), 0.2),
            ("easyHard(easy,semihard)", BatchEasyHardMiner(), 0.2),
            ("easyHard(hard,hard)", BatchEasyHardMiner(positive: .hard, negative: .hard), 0.2),
            ("easyHard(hard,easy)", BatchEasyHardMiner(positive: .hard, negative: .easy), 1.5),
        ]
        var cases: [LossCase] = []
        for (dn, distance) in [("euclid", Distance.euclidean()), ("cosine", Distance.cosine)] {
            for (mn, miner, margin) in miners {
                for (smooth, swap) in [(false, false), (true, false), (false, true), (true, true)] {
                    var c = triplet(
                        "triplet \(smooth ? "smooth" : "hinge") swap=\(swap) \(mn) \(dn)",
                        margin: margin, distance: distance, miner: miner, smooth: smooth, swap: swap)
                    c.b = 12
                    cases.append(c)
                }
            }
        }
        return cases
    }()

    static let otherTriplet: [LossCase] = [
        LossCase(name: "batchHardSoftMargin euclidRaw") { try BatchHardSoftMarginLoss()($0, labels: $1) },
        LossCase(name: "batchHardSoftMargin euclid") {
            try BatchHardSoftMarginLoss(distance: .euclidean())($0, labels: $1)
        },
        LossCase(name: "batchHardSoftMargin cosine") { try BatchHardSoftMarginLoss(distance: .cosine)($0, labels: $1) },
        LossCase(name: "batchHardSoftMargin sqEuclidRaw") {
            try BatchHardSoftMarginLoss(distance: .squaredEuclidean(normalized: false))($0, labels: $1)
        },
        LossCase(name: "faceNet euclidRaw", b: 12) { try FaceNetSemihardLoss()($0, labels: $1) },
        LossCase(name: "faceNet euclid", b: 12) {
            try FaceNetSemihardLoss(margin: 0.3, distance: .euclidean())($0, labels: $1)
        },
        LossCase(name: "faceNet sqEuclid", b: 12) {
            try FaceNetSemihardLoss(margin: 0.3, distance: .squaredEuclidean())($0, labels: $1)
        },
        LossCase(name: "faceNet cosine", b: 12) {
            try FaceNetSemihardLoss(margin: 0.3, distance: .cosine)($0, labels: $1)
        },
        LossCase(name: "faceNet dot", b: 12) {
            try FaceNetSemihardLoss(margin: 1, distance: .dotProduct())($0, labels: $1)
        },
    ]

    static let contrastive: [LossCase] = Fixture.distances.flatMap { (dn, distance) in
        // Margins in the units of each distance; for similarities, positives cost relu(pm − s), negatives relu(s − nm).
        let (pm, nm): (Float, Float) =
            switch dn {
            case "euclid": (0.3, 1.2)
            case "euclidRaw": (1, 3)
            case "sqEuclid": (0.2, 1.5)
            case "sqEuclidRaw": (2, 8)
            case "cosine": (0.8, 0.1)
            default: (2, -0.5)
            }
        return [nil, MultiSimilarityMiner(epsilon: 0.1)].flatMap { (miner: MultiSimilarityMiner?) in
            Reducer.allCases.map { reducer in
                let loss = ContrastiveLoss(
                    positiveMargin: pm, negativeMargin: nm, distance: distance, miner: miner, reducer: reducer)
                return LossCase(name: "contrastive \(miner == nil ? "" : "MS ")\(reducer) \(dn)", b: 10) {
                    try loss($0, labels: $1)
                }
            }
        }
    }

    static let ntXent: [LossCase] =
        Fixture.distances.map { (dn, distance) in
            let loss = NTXentLoss(temperature: dn.hasSuffix("Raw") || dn == "dot" ? 1 : 0.3, distance: distance)
            return LossCase(name: "ntxent \(dn)") { try loss($0, labels: $1) }
        } + [LossCase(name: "ntxent cosine t=0.1", d: 5) { try NTXentLoss(temperature: 0.1)($0, labels: $1) }]

    static let mnrl: [LossCase] = [
        LossCase(name: "mnrl cosine s=20", d: 5) { try MultipleNegativesRankingLoss()($0, labels: $1) },
        LossCase(name: "mnrl cosine s=5", b: 12) { x, _ in try MultipleNegativesRankingLoss(scale: 5)(x) },
        LossCase(name: "mnrl dot s=1") { x, _ in try MultipleNegativesRankingLoss(scale: 1, distance: .dotProduct())(x)
        },
        LossCase(name: "mnrl euclid s=3") { x, _ in
            try MultipleNegativesRankingLoss(scale: 3, distance: .euclidean())(x)
        },
        LossCase(name: "mnrl sqEuclidRaw s=0.5") { x, _ in
            try MultipleNegativesRankingLoss(scale: 0.5, distance: .squaredEuclidean(normalized: false))(x)
        },
        LossCase(name: "mnrl hard negatives cosine s=20", b: 12, d: 5) { x, _ in
            try MultipleNegativesRankingLoss()(x, hardNegatives: true)
        },
    ]

    static let explicit: [LossCase] = [Float(2), 3].flatMap { p in
        [false, true].flatMap { swap in
            ExplicitTripletMarginLoss.Reduction.allCases.map { reduction in
                let loss = ExplicitTripletMarginLoss(margin: 1, p: p, swap: swap, reduction: reduction)
                return LossCase(name: "explicit p=\(p) swap=\(swap) \(reduction)", b: 10, d: 5) { x, labels in
                    // Some triplets repeat an index, some repeat a whole triplet.
                    let triplets = Fixture.someTriplets(labels: labels, count: 24, seed: 5)
                    return try loss(x, triplets: triplets + triplets.prefix(3))
                }
            }
        }
    }
}

// MARK: - Tests

@Suite("Gradients match finite differences")
struct GradientTests {
    @Test(arguments: GradientCases.tripletDistances)
    func tripletByDistance(_ c: LossCase) throws { try expectGradientMatches(c) }

    @Test(arguments: GradientCases.tripletReducers)
    func tripletByReducer(_ c: LossCase) throws { try expectGradientMatches(c) }

    @Test(arguments: GradientCases.tripletMiners)
    func tripletByMiner(_ c: LossCase) throws { try expectGradientMatches(c) }

    @Test(arguments: GradientCases.otherTriplet)
    func otherTripletLosses(_ c: LossCase) throws { try expectGradientMatches(c) }

    @Test(arguments: GradientCases.contrastive)
    func contrastive(_ c: LossCase) throws { try expectGradientMatches(c) }

    @Test(arguments: GradientCases.ntXent)
    func ntXent(_ c: LossCase) throws { try expectGradientMatches(c) }

    @Test(arguments: GradientCases.mnrl)
    func multipleNegativesRanking(_ c: LossCase) throws { try expectGradientMatches(c) }

    @Test(arguments: GradientCases.explicit)
    func explicitTriplets(_ c: LossCase) throws { try expectGradientMatches(c) }

    /// Several seeds for the default configurations, so one lucky batch cannot hide a wrong gradient.
    @Test(arguments: [UInt64(2), 3, 4])
    func defaultsOnMoreSeeds(seed: UInt64) throws {
        let cases: [LossCase] = [
            LossCase(name: "triplet default", seed: seed) { try TripletMarginLoss(margin: 0.3)($0, labels: $1) },
            LossCase(name: "triplet semihard", b: 12, seed: seed) {
                try TripletMarginLoss(margin: 0.2, miner: TripletMarginMiner(margin: 0.2, type: .semihard))(
                    $0, labels: $1)
            },
            LossCase(name: "contrastive default", seed: seed) { try ContrastiveLoss()($0, labels: $1) },
            LossCase(name: "ntxent default", seed: seed) { try NTXentLoss(temperature: 0.2)($0, labels: $1) },
        ]
        for c in cases { try expectGradientMatches(c) }
    }
}

/// The checker itself must notice a wrong gradient, or the tests above prove nothing.
@Suite("Gradient checker self-check")
struct GradientTestsSelfCheck {
    @Test(arguments: [Float(1.1), 0.9, -1])
    func detectsAScaledGradient(factor: Float) throws {
        let (x, labels) = Fixture.batch(b: 10, d: 4, seed: 1)
        let loss = NTXentLoss(temperature: 0.3)
        let check = try checkGradient(
            { y in
                var out = try loss(y, labels: labels)
                for k in out.gradient.scalars.indices { out.gradient.scalars[k] *= factor }
                return out
            }, at: x)
        #expect(check.compared == check.total)
        #expect(check.mismatches.count > check.total / 4)
    }

    @Test func detectsOneWrongRow() throws {
        let (x, labels) = Fixture.batch(b: 10, d: 4, seed: 1)
        let check = try checkGradient(
            { y in
                var out = try TripletMarginLoss(margin: 0.3, smooth: true)(y, labels: labels)
                out.gradient[3, 1] += 0.01
                return out
            }, at: x)
        #expect(check.mismatches.count == 1 && check.mismatches[0].hasPrefix("[3, 1]"))
    }
}
