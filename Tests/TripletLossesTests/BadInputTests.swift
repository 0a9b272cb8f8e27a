import Testing
import TripletCore
import TripletLosses

/// A loss that takes labels, with what applies to it.
struct LabelledLoss: Sendable, CustomTestStringConvertible {
    let name: String
    /// Whether a batch with no valid triplet / pair is documented to give 0 (every label-based loss but
    /// the unmined contrastive loss, whose positive and negative parts are reduced on their own, and MNRL).
    var zeroWithoutTriplets = true
    let run: @Sendable (Tensor, [Int]) throws -> LossOutput
    var testDescription: String { name }
}

enum BadInputCases {
    static let losses: [LabelledLoss] = [
        LabelledLoss(name: "triplet") { try TripletMarginLoss()($0, labels: $1) },
        LabelledLoss(name: "triplet smooth swap") { try TripletMarginLoss(smooth: true, swap: true)($0, labels: $1) },
        LabelledLoss(name: "triplet sum") { try TripletMarginLoss(reducer: .sum)($0, labels: $1) },
        LabelledLoss(name: "triplet mean cosine") {
            try TripletMarginLoss(distance: .cosine, reducer: .mean)($0, labels: $1)
        },
        LabelledLoss(name: "triplet all") {
            try TripletMarginLoss(miner: TripletMarginMiner(type: .all))($0, labels: $1)
        },
        LabelledLoss(name: "triplet hard") {
            try TripletMarginLoss(miner: TripletMarginMiner(type: .hard))($0, labels: $1)
        },
        LabelledLoss(name: "triplet semihard") {
            try TripletMarginLoss(miner: TripletMarginMiner(type: .semihard))($0, labels: $1)
        },
        LabelledLoss(name: "triplet easy smooth") {
            try TripletMarginLoss(miner: TripletMarginMiner(type: .easy), smooth: true)($0, labels: $1)
        },
        LabelledLoss(name: "triplet batch-hard") { try TripletMarginLoss(miner: BatchHardMiner())($0, labels: $1) },
        LabelledLoss(name: "triplet batch-easy-hard") {
            try TripletMarginLoss(miner: BatchEasyHardMiner())($0, labels: $1)
        },
        LabelledLoss(name: "batch-hard soft margin") { try BatchHardSoftMarginLoss()($0, labels: $1) },
        LabelledLoss(name: "facenet semihard") { try FaceNetSemihardLoss()($0, labels: $1) },
        LabelledLoss(name: "contrastive", zeroWithoutTriplets: false) { try ContrastiveLoss()($0, labels: $1) },
        LabelledLoss(name: "contrastive MS") { try ContrastiveLoss(miner: MultiSimilarityMiner())($0, labels: $1) },
        LabelledLoss(name: "ntxent") { try NTXentLoss()($0, labels: $1) },
        LabelledLoss(name: "mnrl", zeroWithoutTriplets: false) { try MultipleNegativesRankingLoss()($0, labels: $1) },
        LabelledLoss(name: "explicit", zeroWithoutTriplets: false) { x, _ in
            // Triplets valid for any batch of 3 or more rows; none for smaller ones.
            try ExplicitTripletMarginLoss()(x, triplets: x.rowCount >= 3 ? [Triplet(0, 1, 2), Triplet(2, 1, 0)] : [])
        },
        LabelledLoss(name: "ladder") { x, labels in
            // Each of the labels these tests use is its own coarse group.
            let groups = Dictionary(uniqueKeysWithValues: (0..<8).map { ($0, $0) })
            return try LadderLoss(margins: [0.2, 0.1], weights: [1, 1], coarseGroups: groups)(x, labels: labels)
        },
        LabelledLoss(name: "triplet network") { try TripletNetworkLoss()($0, labels: $1) },
        LabelledLoss(name: "triplet network semihard") {
            try TripletNetworkLoss(miner: TripletMarginMiner(type: .semihard))($0, labels: $1)
        },
    ]

    static var labelBased: [LabelledLoss] { losses.filter(\.zeroWithoutTriplets) }

    static func batch(_ b: Int, _ d: Int) -> (Tensor, [Int]) { Fixture.batch(b: b, d: d, seed: 3) }
}

/// Runs `body`, expecting a TripletError (not a crash, not success); returns it for pattern matching.
@discardableResult
func expectTripletError(
    _ what: String, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> LossOutput
) -> TripletError? {
    do {
        let out = try body()
        Issue.record("\(what): no error thrown (value \(out.value))", sourceLocation: sourceLocation)
        return nil
    } catch let error as TripletError {
        return error
    } catch {
        Issue.record("\(what): threw \(error), not a TripletError", sourceLocation: sourceLocation)
        return nil
    }
}

@Suite("Bad inputs throw, degenerate batches give zero")
struct BadInputTests {
    // MARK: Inputs every loss rejects

    @Test(arguments: BadInputCases.losses)
    func emptyBatch(_ loss: LabelledLoss) throws {
        let error = expectTripletError(loss.name) { try loss.run(try Tensor(shape: [0, 4], scalars: []), []) }
        #expect(error == .emptyBatch, "\(loss.name): \(String(describing: error))")
        expectTripletError(loss.name) { try loss.run(try Tensor(shape: [0, 0], scalars: []), []) }
    }

    @Test(arguments: BadInputCases.losses.filter { $0.name != "explicit" })
    func batchTooLargeForMemory(_ loss: LabelledLoss) throws {
        // 200 000 rows of one value: its 200 000² distance matrices would need hundreds of GiB.
        let rows = 200_000
        let x = try Tensor(shape: [rows, 1], scalars: (0..<rows).map { Float($0 % 7) })
        let error = expectTripletError(loss.name) { try loss.run(x, (0..<rows).map { $0 % 2 }) }
        guard case .invalidParameter(let name, _, _) = error else {
            Issue.record("\(loss.name): \(String(describing: error))")
            return
        }
        #expect(name == "batch size")
    }

    @Test(arguments: BadInputCases.losses.filter { $0.name != "explicit" })
    func labelCountMismatch(_ loss: LabelledLoss) throws {
        let (x, labels) = BadInputCases.batch(8, 4)
        for wrong in [Array(labels.dropLast()), labels + [0], []] {
            let error = expectTripletError(loss.name) { try loss.run(x, wrong) }
            #expect(
                error == .labelCountMismatch(embeddings: 8, labels: wrong.count),
                "\(loss.name): \(String(describing: error))")
        }
    }

    @Test(arguments: BadInputCases.losses, [Float.nan, .infinity, -.infinity])
    func nonFiniteEmbeddings(_ loss: LabelledLoss, bad: Float) throws {
        var (x, labels) = BadInputCases.batch(8, 4)
        x[5, 2] = bad
        let error = expectTripletError(loss.name) { try loss.run(x, labels) }
        guard case .nonFiniteValue(_, let row, let column)? = error else {
            Issue.record("\(loss.name): expected .nonFiniteValue, got \(String(describing: error))")
            return
        }
        #expect(row == 5 && column == 2)
    }

    @Test(arguments: BadInputCases.losses)
    func zeroDimension(_ loss: LabelledLoss) throws {
        let error = expectTripletError(loss.name) {
            try loss.run(try Tensor(shape: [6, 0], scalars: []), [0, 0, 1, 1, 2, 2])
        }
        #expect(error == .zeroDimension, "\(loss.name): \(String(describing: error))")
    }

    @Test(arguments: BadInputCases.losses)
    func notAMatrix(_ loss: LabelledLoss) throws {
        let labels = [0, 0, 1, 1, 2, 2]
        for shape in [[6], [6, 2, 2], [6, 1, 2, 1]] {
            let x = try Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { Float($0 % 5) })
            let error = expectTripletError("\(loss.name) \(shape)") { try loss.run(x, labels) }
            guard case .shapeMismatch(_, let got)? = error else {
                Issue.record("\(loss.name) \(shape): expected .shapeMismatch, got \(String(describing: error))")
                continue
            }
            #expect(got == shape)
        }
    }

    /// Finite rows whose squared norm overflows Float32: a TripletError, or a finite result — never NaN/∞.
    @Test(arguments: BadInputCases.losses)
    func hugeFiniteEmbeddings(_ loss: LabelledLoss) throws {
        var (x, labels) = BadInputCases.batch(8, 4)
        for k in x.scalars.indices { x.scalars[k] *= 1e20 }
        do {
            let out = try loss.run(x, labels)
            #expect(out.value.isFinite, "\(loss.name): value \(out.value) for finite inputs")
            #expect(
                out.gradient.scalars.allSatisfy { $0.isFinite }, "\(loss.name): non-finite gradient for finite inputs")
        } catch is TripletError {}
    }

    // MARK: Options out of range

    @Test(arguments: [Float(-0.1), -1, .nan, .infinity, -.infinity])
    func badMargins(margin: Float) throws {
        let (x, labels) = BadInputCases.batch(8, 4)
        let calls: [(String, () throws -> LossOutput)] = [
            ("triplet", { try TripletMarginLoss(margin: margin)(x, labels: labels) }),
            ("triplet smooth", { try TripletMarginLoss(margin: margin, smooth: true)(x, labels: labels) }),
            (
                "triplet semihard",
                { try TripletMarginLoss(margin: margin, miner: TripletMarginMiner(type: .semihard))(x, labels: labels) }
            ),
            ("facenet", { try FaceNetSemihardLoss(margin: margin)(x, labels: labels) }),
            ("explicit", { try ExplicitTripletMarginLoss(margin: margin)(x, triplets: [Triplet(0, 1, 2)]) }),
        ]
        for (name, call) in calls {
            let error = expectTripletError("\(name) margin \(margin)", call)
            guard case .invalidParameter(let parameter, _, _)? = error else {
                Issue.record("\(name) margin \(margin): expected .invalidParameter, got \(String(describing: error))")
                continue
            }
            #expect(parameter == "margin")
        }
        // The contrastive loss accepts any finite margin (negative ones make sense for similarities).
        if !margin.isFinite {
            expectTripletError("contrastive positive margin \(margin)") {
                try ContrastiveLoss(positiveMargin: margin)(x, labels: labels)
            }
            expectTripletError("contrastive negative margin \(margin)") {
                try ContrastiveLoss(negativeMargin: margin)(x, labels: labels)
            }
        }
    }

    @Test(arguments: [Float(0), -0.5, .nan, -.infinity, .infinity])
    func ntXentTemperature(temperature: Float) throws {
        let (x, labels) = BadInputCases.batch(8, 4)
        let error = expectTripletError("temperature \(temperature)") {
            try NTXentLoss(temperature: temperature)(x, labels: labels)
        }
        guard case .invalidParameter(let name, _, _)? = error else {
            Issue.record("expected .invalidParameter, got \(String(describing: error))")
            return
        }
        #expect(name == "temperature")
    }

    @Test(arguments: [Float(0), -20, .nan, .infinity])
    func mnrlScale(scale: Float) throws {
        let (x, labels) = BadInputCases.batch(8, 4)
        let error = expectTripletError("scale \(scale)") { try MultipleNegativesRankingLoss(scale: scale)(x) }
        guard case .invalidParameter(let name, _, _)? = error else {
            Issue.record("expected .invalidParameter, got \(String(describing: error))")
            return
        }
        #expect(name == "scale")
        expectTripletError("scale \(scale), with labels") {
            try MultipleNegativesRankingLoss(scale: scale)(x, labels: labels)
        }
    }

    @Test(arguments: [1, 3, 7])
    func mnrlOddBatch(b: Int) throws {
        let (x, labels) = BadInputCases.batch(b, 4)
        let error = expectTripletError("B = \(b)") { try MultipleNegativesRankingLoss()(x) }
        guard case .shapeMismatch(_, let got)? = error else {
            Issue.record("expected .shapeMismatch, got \(String(describing: error))")
            return
        }
        #expect(got == [b, 4])
        expectTripletError("B = \(b), with labels") { try MultipleNegativesRankingLoss()(x, labels: labels) }
    }

    @Test(arguments: [
        Triplet(0, 1, 8), Triplet(8, 1, 2), Triplet(0, 100, 2), Triplet(-1, 1, 2), Triplet(0, -3, 2),
        Triplet(0, 1, Int.min),
        Triplet(Int.max, 0, 1),
    ])
    func explicitIndexOutOfRange(bad: Triplet) throws {
        let (x, _) = BadInputCases.batch(8, 4)
        for swap in [false, true] {
            let error = expectTripletError("\(bad)") {
                try ExplicitTripletMarginLoss(swap: swap)(x, triplets: [Triplet(0, 1, 2), bad])
            }
            guard case .indexOutOfRange(_, let index, let count)? = error else {
                Issue.record("\(bad): expected .indexOutOfRange, got \(String(describing: error))")
                continue
            }
            #expect(count == 8)
            #expect([bad.anchor, bad.positive, bad.negative].contains(index) && !(0..<8).contains(index))
        }
    }

    @Test(arguments: [Float(0.5), 0, -2, .nan, .infinity])
    func explicitNormDegree(p: Float) throws {
        let (x, _) = BadInputCases.batch(8, 4)
        let error = expectTripletError("p \(p)") {
            try ExplicitTripletMarginLoss(p: p)(x, triplets: [Triplet(0, 1, 2)])
        }
        #expect(
            error.map { if case .invalidParameter("p", _, _) = $0 { true } else { false } } == true,
            "p \(p): \(String(describing: error))")
    }

    @Test func explicitNegativeEps() throws {
        let (x, _) = BadInputCases.batch(8, 4)
        expectTripletError("eps") { try ExplicitTripletMarginLoss(eps: -1)(x, triplets: [Triplet(0, 1, 2)]) }
        expectTripletError("eps") { try ExplicitTripletMarginLoss(eps: .nan)(x, triplets: [Triplet(0, 1, 2)]) }
    }

    @Test(arguments: [Float(-1), -0.01, .nan, .infinity])
    func minerOptionOutOfRange(minerMargin: Float) throws {
        let (x, labels) = BadInputCases.batch(8, 4)
        for type in TripletMarginMiner.TripletType.allCases {
            let miner = TripletMarginMiner(margin: minerMargin, type: type)
            for smooth in [false, true] {
                let error = expectTripletError("\(type) μ=\(minerMargin)") {
                    try TripletMarginLoss(miner: miner, smooth: smooth)(x, labels: labels)
                }
                #expect(error.map { if case .invalidParameter = $0 { true } else { false } } == true)
            }
            #expect(throws: TripletError.self) { _ = try miner.triplets(embeddings: x, labels: labels) }
        }
    }

    @Test func minersValidateTheirInputs() throws {
        let (x, labels) = BadInputCases.batch(8, 4)
        #expect(throws: TripletError.labelCountMismatch(embeddings: 8, labels: 7)) {
            _ = try BatchHardMiner().triplets(embeddings: x, labels: Array(labels.dropLast()))
        }
        #expect(throws: TripletError.emptyBatch) {
            _ = try BatchHardMiner().triplets(embeddings: try Tensor(shape: [0, 3], scalars: []), labels: [])
        }
        var bad = x
        bad[1, 1] = .nan
        #expect(throws: TripletError.nonFiniteValue(what: "embeddings", row: 1, column: 1)) {
            _ = try TripletMarginMiner().triplets(embeddings: bad, labels: labels)
        }
    }

    // MARK: Documented zero outcomes

    static let degenerateLabels: [(String, [Int])] = [
        ("one class", [Int](repeating: 4, count: 8)),
        ("all distinct", Array(0..<8)),
    ]

    @Test(arguments: BadInputCases.labelBased)
    func noValidTripletGivesZero(_ loss: LabelledLoss) throws {
        let (x, _) = BadInputCases.batch(8, 5)
        for (what, labels) in Self.degenerateLabels {
            let out = try loss.run(x, labels)
            #expect(out.value == 0, "\(loss.name), \(what): value \(out.value)")
            #expect(out.gradient.shape == [8, 5])
            #expect(out.gradient.scalars.allSatisfy { $0 == 0 }, "\(loss.name), \(what): non-zero gradient")
            #expect(
                out.stats.activeCount == 0,
                "\(loss.name), \(what): activeCount \(out.stats.activeCount) with a zero loss")
            #expect(out.stats.activeFraction == 0, "\(loss.name), \(what)")
        }
        // A single row is both cases at once.
        let one = try loss.run(try Tensor(shape: [1, 3], scalars: [1, 2, 3]), [0])
        #expect(one.value == 0 && one.gradient.shape == [1, 3] && one.gradient.scalars == [0, 0, 0])
        #expect(one.stats.activeCount == 0)
    }

    /// The unmined contrastive loss reduces its parts separately: only the present part counts.
    @Test func contrastiveWithOnlyOneKindOfPair() throws {
        let (x, _) = BadInputCases.batch(8, 5)
        let loss = ContrastiveLoss(positiveMargin: 0, negativeMargin: 2.5)
        let oneClass = try loss(x, labels: [Int](repeating: 1, count: 8))
        #expect(
            oneClass.value > 0 && oneClass.stats.candidateCount == 56
                && oneClass.gradient.scalars.allSatisfy { $0.isFinite })
        let distinct = try loss(x, labels: Array(0..<8))
        #expect(
            distinct.value > 0 && distinct.stats.candidateCount == 56
                && distinct.gradient.scalars.allSatisfy { $0.isFinite })
    }

    @Test func explicitEmptyTripletList() throws {
        let (x, _) = BadInputCases.batch(8, 5)
        for reduction in ExplicitTripletMarginLoss.Reduction.allCases {
            for swap in [false, true] {
                let out = try ExplicitTripletMarginLoss(swap: swap, reduction: reduction)(x, triplets: [])
                #expect(out.value == 0)
                #expect(out.gradient.shape == [8, 5] && out.gradient.scalars.allSatisfy { $0 == 0 })
                #expect(out.stats.candidateCount == 0 && out.stats.activeCount == 0)
                #expect(out.stats.meanPositiveDistance.isFinite && out.stats.meanNegativeDistance.isFinite)
            }
        }
    }

    /// torch.nn.TripletMarginLoss semantics on finite inputs: a large but representable distance gives a
    /// large finite loss, not ∞ (and not 0).
    @Test func explicitLossDoesNotOverflowOnRepresentableDistances() throws {
        let x = try Tensor(rows: [[0, 0], [3e19, 4e19], [1, 0]])  // d(0,1) = 5e19, d(0,2) = 1
        let out = try ExplicitTripletMarginLoss(margin: 1)(x, triplets: [Triplet(0, 1, 2)])
        #expect(out.value.isFinite && abs(out.value - 5e19) <= 1e14, "value \(out.value), expected 5e19")
        #expect(out.gradient.scalars.allSatisfy { $0.isFinite })
        // dL/dx₀ = (x₀ − x₁)/d(0,1) − (x₀ − x₂)/d(0,2) = (−0.6, −0.8) − (−1, 0) = (0.4, −0.8).
        #expect(abs(out.gradient[0, 0] - 0.4) < 1e-3 && abs(out.gradient[0, 1] + 0.8) < 1e-3, "\(out.gradient.row(0))")
    }
}
