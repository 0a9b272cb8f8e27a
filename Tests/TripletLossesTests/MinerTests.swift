import Foundation
import Testing
import TripletCore
import TripletLosses

/// Miners and losses whose selection rule is checked on hand-made batches.
@Suite("Miner selections")
struct MinerTests {
    /// Rows on a line (1-D points), raw distances: every distance can be read off the coordinates.
    static func line(_ xs: [Float]) throws -> Tensor { try Tensor(shape: [xs.count, 1], scalars: xs) }

    @Test func faceNetTakesTheClosestFartherNegativeElseTheFarthest() throws {
        // Anchor 0 at 0; positive 1 at 1; negatives at 0.5, 1.5, 3.
        let x = try Self.line([0, 1, 0.5, 1.5, 3])
        let labels = [0, 0, 1, 1, 1]
        let out = try FaceNetSemihardLoss(margin: 1)(x, labels: labels)
        // Pairs (0,1): n = 1.5 (d 1.5 > 1), l = 1 − 1.5 + 1 = 0.5.
        // Pair (1,0): distances from 1: negatives 0.5, 0.5, 2; d_ap = 1 → n at 3 (d 2), l = 1 − 2 + 1 = 0.
        // Negatives' own pairs: (2,3), (2,4), (3,2), (3,4), (4,2), (4,3) with negatives 0 and 1.
        let pairs: [(Float, [Float])] = [
            (1, [0.5, 1.5, 3]), (1, [-0.5, 0.5, 2]),  // anchors 0 and 1 (positive distance 1)
            (1, [0.5, 0.5]), (2.5, [0.5, 0.5]),  // anchor 2 (0.5): positives 3 (d 1), 4 (d 2.5)
            (1, [1.5, 0.5]), (1.5, [1.5, 0.5]),  // anchor 3 (1.5): positives 2 (d 1), 4 (d 1.5)
            (2.5, [3, 2]), (1.5, [3, 2]),  // anchor 4 (3): positives 2 (d 2.5), 3 (d 1.5)
        ]
        var expected: Float = 0
        for (dap, negatives) in pairs {
            let distances = negatives.map(abs)
            let chosen = distances.filter { $0 > dap }.min() ?? distances.max()!
            expected += max(0, dap - chosen + 1)
        }
        expected /= Float(pairs.count)
        #expect(abs(out.value - expected) < 1e-6, "\(out.value) vs \(expected)")
        #expect(out.stats.candidateCount == pairs.count)
    }

    @Test func multiSimilarityKeepsPairsWithinEpsilonOfTheHardestOther() throws {
        // Anchor 0 at 0: positive 1 at 0.2, positive 2 at 1.0; negatives 3 at 0.9, 4 at 2.0.
        let x = try Self.line([0, 0.2, 1.0, 0.9, 2.0])
        let pairs = try MultiSimilarityMiner(epsilon: 0.1)
            .pairs(embeddings: x, labels: [0, 0, 0, 1, 1], distance: .euclidean(normalized: false))
        // Anchor 0: hardest negative 0.9 → positives with d + 0.1 > 0.9: only 2 (1.0); hardest positive 1.0 →
        // negatives with d − 0.1 < 1.0: only 3 (0.9).
        #expect(pairs.positives.filter { $0.first == 0 } == [Pair(0, 2)])
        #expect(pairs.negatives.filter { $0.first == 0 } == [Pair(0, 3)])
    }

    @Test func distanceWeightedDrawsOneValidNegativePerPositivePairAndRepeatsWithItsSeed() throws {
        var generator = SeededGenerator(seed: 7)
        let x = try Tensor(shape: [24, 8], scalars: (0..<192).map { _ in generator.nextNormal() })
        let labels = (0..<24).map { $0 % 4 }
        let first = try DistanceWeightedMiner(seed: 3).triplets(embeddings: x, labels: labels)
        let again = try DistanceWeightedMiner(seed: 3).triplets(embeddings: x, labels: labels)
        let other = try DistanceWeightedMiner(seed: 4).triplets(embeddings: x, labels: labels)
        #expect(first == again)
        #expect(first != other)
        #expect(first.count == 24 * 5)  // 6 per class: 5 positives per anchor, one draw each
        for t in first {
            #expect(labels[t.anchor] == labels[t.positive] && t.anchor != t.positive)
            #expect(labels[t.negative] != labels[t.anchor])
        }
    }

    @Test func distanceWeightedFavoursCloserNegativesAndSkipsThoseBeyondTheCutoff() throws {
        // Unit vectors in 8-D: anchor e0, positive near e0, negatives at distance 0.6, 1.2 and 1.9 from e0.
        func unit(_ angle: Double) -> [Float] {
            var v = [Float](repeating: 0, count: 8)
            v[0] = Float(cos(angle))
            v[1] = Float(sin(angle))
            return v
        }
        let angle = { (d: Double) in 2 * asin(d / 2) }  // chord length d on the unit circle
        let rows = [unit(0), unit(angle(0.1)), unit(angle(0.6)), unit(angle(1.2)), unit(angle(1.9))]
        let x = try Tensor(rows: rows)
        let labels = [0, 0, 1, 2, 3]
        var near = 0, far = 0
        let miner = DistanceWeightedMiner(seed: 11)
        for _ in 0..<200 {
            for t in try miner.triplets(embeddings: x, labels: labels) where t.anchor == 0 {
                if t.negative == 2 { near += 1 }
                if t.negative == 4 { far += 1 }
            }
        }
        // Weight ∝ d^(2−D)·(1 − d²/4)^(−(D−3)/2): (0.6 vs 1.2) gives about 9 to 1; 1.9 ≥ 1.4 is never drawn.
        #expect(far == 0)
        #expect(near > 150, "closer negative drawn \(near) of 200 times")
    }

    @Test func batchEasyHardRejectsPMLsForbiddenCombinations() throws {
        let x = try Self.line([0, 1, 2, 3])
        for (p, n) in [
            (BatchEasyHardMiner.Strategy.semihard, BatchEasyHardMiner.Strategy.semihard), (.semihard, .all),
            (.all, .semihard),
        ] {
            #expect(throws: TripletError.self) {
                _ = try BatchEasyHardMiner(positive: p, negative: n).triplets(embeddings: x, labels: [0, 0, 1, 1])
            }
        }
    }

    @Test func batchEasyHardChoosesByStrategy() throws {
        // Anchor 0 at 0: positives at 1 and 3; negatives at 2 and 4.
        let x = try Self.line([0, 1, 3, 2, 4])
        let labels = [0, 0, 0, 1, 1]
        func pick(_ p: BatchEasyHardMiner.Strategy, _ n: BatchEasyHardMiner.Strategy) throws -> [Triplet] {
            try BatchEasyHardMiner(positive: p, negative: n)
                .triplets(embeddings: x, labels: labels, distance: .euclidean(normalized: false))
                .filter { $0.anchor == 0 }
        }
        #expect(try pick(.easy, .hard) == [Triplet(0, 1, 3)])
        #expect(try pick(.hard, .easy) == [Triplet(0, 2, 4)])
        #expect(try pick(.easy, .semihard) == [Triplet(0, 1, 3)])  // closest negative beyond 1: 2
        #expect(try pick(.hard, .semihard) == [Triplet(0, 2, 4)])  // closest negative beyond 3: 4
        #expect(try pick(.semihard, .hard) == [Triplet(0, 1, 3)])  // farthest positive closer than 2: 1
        #expect(try pick(.all, .hard) == [Triplet(0, 1, 3), Triplet(0, 2, 3)])
        #expect(try pick(.easy, .all) == [Triplet(0, 1, 3), Triplet(0, 1, 4)])
    }
}
