import Foundation
import Testing
import TripletCore

@testable import TripletLosses

/// The ladder loss and the triplet network's loss: gradients against finite differences, the streamed
/// ladder against every term enumerated, and their bad inputs.
@Suite("Ladder and triplet-network losses")
struct FamilyLossTests {
    /// Classes 0 and 1 share a coarse group, class 2 is alone.
    static let groups = [0: 0, 1: 0, 2: 1]

    /// A random relevance matrix with levels 0..<levels (not symmetric).
    static func randomRelevance(_ n: Int, levels: Int, seed: UInt64) -> RelevanceMatrix {
        var g = SeededGenerator(seed: seed)
        return RelevanceMatrix(count: n, levels: (0..<(n * n)).map { _ in Int32(g.next() % UInt64(levels)) })
    }

    static let gradientCases: [LossCase] = [
        LossCase(name: "ladder hierarchical", b: 12, d: 4) { x, labels in
            try LadderLoss(margins: [0.3, 0.1], weights: [1, 0.5], coarseGroups: groups)(x, labels: labels)
        },
        LossCase(name: "ladder 4 levels", b: 10, d: 5) { x, _ in
            try LadderLoss(margins: [0.4, 0.2, 0.1], weights: [1, 0.7, 0.3])(
                x, relevance: randomRelevance(10, levels: 4, seed: 7)
            ).loss
        },
        LossCase(name: "ladder 2 levels", b: 10, d: 3) { x, _ in
            try LadderLoss(margins: [0.5], weights: [2])(x, relevance: randomRelevance(10, levels: 2, seed: 8)).loss
        },
        LossCase(name: "triplet network explicit", b: 10, d: 5) { x, labels in
            let triplets = Fixture.someTriplets(labels: labels, count: 20, seed: 4)
            return try TripletNetworkLoss()(x, triplets: triplets + triplets.prefix(2))
        },
        LossCase(name: "triplet network all") { try TripletNetworkLoss()($0, labels: $1) },
        LossCase(name: "triplet network batch-hard") {
            try TripletNetworkLoss(miner: BatchHardMiner())($0, labels: $1)
        },
    ]

    @Test(arguments: gradientCases)
    func gradientMatchesFiniteDifferences(_ c: LossCase) throws { try expectGradientMatches(c) }

    /// Every (anchor, positive, negative, level) term in Double, from the same Float similarities.
    static func bruteForce(_ loss: LadderLoss, _ x: Tensor, _ r: RelevanceMatrix) throws -> (Double, [Int]) {
        let m = try DistanceMatrix(embeddings: x, distance: .cosine)
        let n = x.rowCount
        var value = 0.0, active: [Int] = []
        for l in 1..<loss.levels {
            var sum = 0.0, count = 0
            for i in 0..<n {
                for j in 0..<n where j != i && r[i, j] >= l {
                    for k in 0..<n where k != i && r[i, k] < l {
                        let term = loss.margins[l - 1] - m.value(i, j) + m.value(i, k)
                        if term > 0 {
                            sum += Double(term)
                            count += 1
                        }
                    }
                }
            }
            active.append(count)
            if count > 0 { value += Double(loss.weights[l - 1]) * sum / Double(count) }
        }
        return (value, active)
    }

    /// The last batch is large enough for the distances to go through the Gram matrix.
    @Test(arguments: [(40, 3, 6), (64, 4, 6), (90, 2, 6), (300, 3, 32)])
    func streamedLadderEqualsEveryTerm(b: Int, levels: Int, d: Int) throws {
        let (x, _) = Fixture.batch(b: b, d: d, seed: UInt64(b))
        let r = Self.randomRelevance(b, levels: levels, seed: UInt64(levels))
        let margins = (1..<levels).map { Float(levels - $0) * 0.15 }
        let loss = try LadderLoss(margins: margins, weights: margins.map { 1 / $0 }, threads: 2)
        let out = try loss(x, relevance: r)
        let (value, active) = try Self.bruteForce(loss, x, r)
        #expect(out.activeTermsPerLevel == active)
        #expect(abs(Double(out.loss.value) - value) <= 1e-5 * value, "\(out.loss.value) vs \(value)")
        #expect(out.loss.stats.activeCount == active.reduce(0, +))
        // The same result on one thread.
        var single = loss
        single.threads = 1
        #expect(try single(x, relevance: r).loss.gradient == out.loss.gradient)
    }

    @Test func hierarchicalRelevanceLevels() throws {
        let r = try RelevanceMatrix.hierarchical(labels: [0, 0, 1, 2], coarseGroups: Self.groups)
        #expect(r.levels == [2, 2, 1, 0, 2, 2, 1, 0, 1, 1, 2, 0, 0, 0, 0, 2])
        let x = Fixture.batch(b: 4, d: 3, seed: 1).x
        let loss = try LadderLoss(margins: [0.2, 0.1], weights: [1, 1], coarseGroups: Self.groups)
        #expect(try loss(x, labels: [0, 0, 1, 2]).value == loss(x, relevance: r).loss.value)
    }

    @Test func levelWithoutPositivesAddsNothing() throws {
        let (x, _) = Fixture.batch(b: 8, d: 4, seed: 2)
        let r = Self.randomRelevance(8, levels: 2, seed: 3)  // no level 2
        let three = try LadderLoss(margins: [0.3, 0.1], weights: [1, 5])(x, relevance: r)
        let two = try LadderLoss(margins: [0.3], weights: [1])(x, relevance: r)
        #expect(three.activeTermsPerLevel[1] == 0 && three.candidateTermsPerLevel[1] == 0)
        #expect(three.loss.value == two.loss.value && three.loss.gradient == two.loss.gradient)
    }

    // MARK: Bad inputs

    @Test func ladderOptionsOutOfRange() throws {
        let bad: [([Float], [Float], [Int: Int]?, String)] = [
            ([], [], nil, "margins"), ([0.2, 0.1], [1], nil, "weights"), ([0.2], [1, 1], nil, "weights"),
            ([-0.1], [1], nil, "margins[0]"), ([.nan], [1], nil, "margins[0]"),
            ([0.1, .infinity], [1, 1], nil, "margins[1]"),
            ([0.1], [-1], nil, "weights[0]"), ([0.1], [.nan], nil, "weights[0]"),
            ([0.1, 0.1, 0.1], [1, 1, 1], Self.groups, "margins"),
        ]
        for (margins, weights, groups, name) in bad {
            do {
                _ = try LadderLoss(margins: margins, weights: weights, coarseGroups: groups)
                Issue.record("margins \(margins), weights \(weights): no error")
            } catch TripletError.invalidParameter(let got, _, _) {
                #expect(got == name)
            }
        }
    }

    @Test func ladderRelevanceMustFitTheBatch() throws {
        let (x, _) = Fixture.batch(b: 4, d: 3, seed: 1)
        let loss = try LadderLoss(margins: [0.2, 0.1], weights: [1, 1])
        #expect(throws: TripletError.self) { try RelevanceMatrix([[0, 1], [1]]) }
        let small = try RelevanceMatrix([[0, 1, 2], [1, 0, 2], [2, 2, 0]])
        let wrongSize = expectTripletError("3×3 for 4") { try loss(x, relevance: small).loss }
        #expect(wrongSize == .shapeMismatch(expected: "a relevance matrix [4, 4] for a batch of 4", got: [3, 3]))
        for level in [-1, 3] {
            var rows = [[Int]](repeating: [0, 1, 2, 1], count: 4)
            rows[2][1] = level
            let error = expectTripletError("level \(level)") { try loss(x, relevance: try RelevanceMatrix(rows)).loss }
            #expect(
                error == .invalidParameter(name: "relevance[2][1]", value: "\(level)", expected: "a level in 0...2"))
        }
        // The diagonal is ignored, whatever it holds.
        var rows = [[Int]](repeating: [0, 1, 2, 1], count: 4)
        for i in 0..<4 { rows[i][i] = 99 }
        #expect(try loss(x, relevance: try RelevanceMatrix(rows)).loss.value.isFinite)
    }

    @Test func ladderLabelsNeedTheirGroups() throws {
        let (x, labels) = Fixture.batch(b: 6, d: 3, seed: 1)
        let noGroups = try LadderLoss(margins: [0.2, 0.1], weights: [1, 1])
        guard
            case .invalidParameter(let name, _, _)? = expectTripletError(
                "no groups", { try noGroups(x, labels: labels) })
        else { return }
        #expect(name == "coarseGroups")
        let partial = try LadderLoss(margins: [0.2, 0.1], weights: [1, 1], coarseGroups: [0: 0, 1: 0])
        let error = expectTripletError("class 2 without a group") { try partial(x, labels: labels) }
        #expect(
            error
                == .invalidParameter(
                    name: "coarseGroups", value: "without class 2",
                    expected: "a coarse group for every class of the batch"))
    }

    @Test func ladderRejectsNonFiniteEmbeddings() throws {
        var (x, _) = Fixture.batch(b: 4, d: 3, seed: 1)
        x[1, 2] = .nan
        let loss = try LadderLoss(margins: [0.2], weights: [1])
        let error = expectTripletError("NaN") {
            try loss(x, relevance: Self.randomRelevance(4, levels: 2, seed: 1)).loss
        }
        #expect(error == .nonFiniteValue(what: "embeddings", row: 1, column: 2))
    }

    @Test func tripletNetworkIndexOutOfRange() throws {
        let (x, _) = Fixture.batch(b: 4, d: 3, seed: 1)
        let error = expectTripletError("index 4") { try TripletNetworkLoss()(x, triplets: [Triplet(0, 1, 4)]) }
        #expect(error == .indexOutOfRange(what: "triplet (0, 1, 4)", index: 4, count: 4))
    }

    /// The streamed (every valid triplet) and the listed evaluation agree, also where e^{d} overflows.
    @Test(arguments: [Float(1), 400])
    func tripletNetworkStreamEqualsList(scale: Float) throws {
        var (x, labels) = Fixture.batch(b: 12, d: 4, seed: 6)
        for k in x.scalars.indices { x.scalars[k] *= scale }
        let streamed = try TripletNetworkLoss(threads: 2)(x, labels: labels)
        let listed = try TripletNetworkLoss()(x, triplets: Triplet.allValid(labels: labels))
        #expect(streamed.stats == listed.stats)
        #expect(abs(streamed.value - listed.value) <= 1e-6 * max(1, listed.value))
        let largest = listed.gradient.scalars.map(abs).max() ?? 0
        for (u, v) in zip(streamed.gradient.scalars, listed.gradient.scalars) {
            #expect(abs(u - v) <= 1e-5 * largest, "\(u) vs \(v)")
        }
        #expect(streamed.gradient.scalars.allSatisfy { $0.isFinite })
    }

    @Test func tripletNetworkWithoutTripletsIsZero() throws {
        let (x, _) = Fixture.batch(b: 4, d: 3, seed: 1)
        let out = try TripletNetworkLoss()(x, triplets: [])
        #expect(out.value == 0 && out.gradient.scalars.allSatisfy { $0 == 0 } && out.stats.candidateCount == 0)
    }

    /// Coincident points: d = 0 takes the subgradient 0, so the loss and gradient stay finite.
    @Test func tripletNetworkAtZeroDistance() throws {
        let x = try Tensor(rows: [[1, 2], [1, 2], [3, 2]])
        let out = try TripletNetworkLoss()(x, triplets: [Triplet(0, 1, 2), Triplet(0, 2, 1)])
        // Triplet 1: d+ = 0, d− = 2: q+ = σ(−2); triplet 2: d+ = 2, d− = 0: q+ = σ(2).
        let q1 = 1 / (1 + exp(2.0)), q2 = 1 / (1 + exp(-2.0))
        #expect(abs(Double(out.value) - (q1 * q1 + q2 * q2)) < 1e-6)
        #expect(out.gradient.scalars.allSatisfy { $0.isFinite })
        // Only d(0, 2) moves: rows 0 and 2 get opposite gradients along x, row 1 none.
        #expect(out.gradient.row(1) == [0, 0])
        #expect(out.stats.activeCount == 1)
    }
}
