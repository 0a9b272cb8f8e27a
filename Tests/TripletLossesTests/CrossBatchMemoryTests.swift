import Foundation
import Testing
import TripletCore

@testable import TripletLosses

@Suite("Cross-batch memory")
struct CrossBatchMemoryTests {
    typealias Combination = (name: String, loss: any CrossBatchLoss, miner: (any CrossBatchMiner)?)

    static let combinations: [Combination] = [
        ("triplet-all", TripletMarginLoss(margin: 0.2, reducer: .mean), nil),
        (
            "triplet-semihard", TripletMarginLoss(margin: 0.3, reducer: .mean),
            TripletMarginMiner(margin: 0.3, type: .semihard)
        ),
        ("triplet-batch-hard", TripletMarginLoss(margin: 0.2), BatchHardMiner()),
        ("triplet-multisimilarity", TripletMarginLoss(margin: 0.2), MultiSimilarityMiner(epsilon: 0.3)),
        ("contrastive-all", ContrastiveLoss(positiveMargin: 0.1, negativeMargin: 1), nil),
        ("contrastive-semihard", ContrastiveLoss(), TripletMarginMiner(margin: 0.3, type: .semihard)),
        ("contrastive-multisimilarity", ContrastiveLoss(), MultiSimilarityMiner()),
        ("ntxent-all", NTXentLoss(temperature: 0.5), nil),
        ("ntxent-batch-hard", NTXentLoss(temperature: 0.3), BatchHardMiner()),
        ("ntxent-cosine-triplets", NTXentLoss(temperature: 0.2), TripletMarginMiner(margin: 0.5, type: .all)),
    ]

    /// The loss of anchors `x` against a memory that holds two earlier batches and `x` itself, kept fixed
    /// while `x` moves: references carry no gradient, so finite differences must not move them either.
    static func againstFixedMemory(_ c: Combination) -> @Sendable (Tensor, [Int]) throws -> LossOutput {
        let loss = c.loss, miner = c.miner
        return { x, labels in
            let memory = try CrossBatchMemory(loss: loss, miner: miner, memorySize: 20, threads: 1)
            for seed: UInt64 in [11, 12] {
                let earlier = Fixture.batch(b: x.rowCount, d: x.rowWidth, seed: seed)
                _ = try memory(earlier.x, labels: earlier.labels)
            }
            let original = Fixture.batch(b: x.rowCount, d: x.rowWidth, seed: 5).x
            let step = try memory.step(original, labels: labels).batch
            let moved = ReferenceBatch(
                anchors: x, labels: labels, references: step.references, referenceLabels: step.referenceLabels,
                selfSlots: step.selfSlots, threads: 1)
            let selection = try memory.mining?.mineReferences(moved) ?? .pairs(moved.allPairs())
            return try memory.kernel.evaluate(selection, moved)
        }
    }

    @Test func theMemoryStepIsTheKernelOnTheFilledRing() throws {
        for c in Self.combinations {
            let x = Fixture.batch(b: 8, d: 4, seed: 5)
            let memory = try CrossBatchMemory(loss: c.loss, miner: c.miner, memorySize: 20, threads: 1)
            for seed: UInt64 in [11, 12] {
                let earlier = Fixture.batch(b: 8, d: 4, seed: seed)
                _ = try memory(earlier.x, labels: earlier.labels)
            }
            let direct = try memory(x.x, labels: x.labels)
            let kernel = try Self.againstFixedMemory(c)(x.x, x.labels)
            #expect(direct.value == kernel.value, "\(c.name)")
            #expect(direct.gradient.scalars == kernel.gradient.scalars, "\(c.name)")
        }
    }

    @Test(arguments: combinations.indices)
    func gradientMatchesFiniteDifferences(_ index: Int) throws {
        let c = Self.combinations[index]
        try expectGradientMatches(LossCase(name: c.name, b: 8, d: 4, seed: 5, run: Self.againstFixedMemory(c)))
    }

    /// The streamed triplet hinge and the pair counts equal a brute-force pass over the listed triplets.
    @Test(arguments: [(TripletMarginMiner.TripletType.semihard, Float(0.2)), (.all, 0.5), (.hard, 0.1), (.easy, 0.05)])
    func streamingEqualsTheTripletList(type: TripletMarginMiner.TripletType, margin: Float) throws {
        let memory = try CrossBatchMemory(
            loss: TripletMarginLoss(margin: margin), miner: TripletMarginMiner(margin: margin, type: type),
            memorySize: 200, threads: 2)
        var result: (output: LossOutput, selection: ReferenceSelection, batch: ReferenceBatch)?
        for seed: UInt64 in 1...8 {
            let batch = Fixture.batch(b: 32, d: 16, classes: 6, seed: seed)
            result = try memory.step(batch.x, labels: batch.labels)
        }
        let (output, selection, step) = try #require(result)
        let triplets = try #require(ReferenceListing(selection, step).triplets)
        let d = try step.matrix(.euclidean()), m = step.columns
        var loss = 0.0, active = 0
        for t in triplets {
            let v =
                (d.dissimilarities[t.anchor * m + t.positive] - d.dissimilarities[t.anchor * m + t.negative]) + margin
            if v > 0 {
                loss += Double(v)
                active += 1
            }
        }
        #expect(output.stats.candidateCount == triplets.count)
        #expect(output.stats.activeCount == active)
        #expect(abs(Double(output.value) - (active > 0 ? loss / Double(active) : 0)) <= 1e-4 * max(1, abs(loss)))
        // Pair losses read the same triplets as pairs: a pair counts once per triplet it is in.
        let counts = try selection.pairCounts(step)
        var expected = PairCounts(rows: step.rows, columns: m)
        for t in triplets {
            expected[t.anchor, t.positive] += 1
            expected[t.anchor, t.negative] += 1
        }
        #expect(counts.counts == expected.counts)
    }

    @Test func ringWrapsAndResets() throws {
        let memory = try CrossBatchMemory(loss: TripletMarginLoss(), memorySize: 10, threads: 1)
        #expect(memory.count == 0)
        let batch = Fixture.batch(b: 4, d: 3, seed: 1)
        let first = try memory.step(batch.x, labels: batch.labels)
        #expect(memory.count == 4)
        #expect(first.batch.selfSlots == [0, 1, 2, 3])
        _ = try memory(batch.x, labels: batch.labels)
        let third = try memory.step(batch.x, labels: batch.labels)
        #expect(memory.count == 10)
        #expect(third.batch.selfSlots == [8, 9, 0, 1])
        memory.reset()
        #expect(memory.count == 0)
    }

    @Test func oneClassMemoryGivesZero() throws {
        // Without negatives only the contrastive loss has terms (its positive pairs).
        for c in Self.combinations where !(c.loss is ContrastiveLoss) {
            let memory = try CrossBatchMemory(loss: c.loss, miner: c.miner, memorySize: 8, threads: 1)
            let x = Fixture.batch(b: 4, d: 3, seed: 2).x
            let out = try memory(x, labels: [7, 7, 7, 7])
            #expect(out.value == 0, "\(c.name)")
            #expect(out.gradient.scalars.allSatisfy { $0 == 0 }, "\(c.name)")
        }
    }

    @Test func badInputsThrow() throws {
        let batch = Fixture.batch(b: 6, d: 3, seed: 4)
        expectTripletError("memory smaller than the batch") {
            try CrossBatchMemory(loss: TripletMarginLoss(), memorySize: 5)(batch.x, labels: batch.labels)
        }
        #expect(throws: TripletError.self) { try CrossBatchMemory(loss: TripletMarginLoss(), memorySize: 0) }
        #expect(throws: TripletError.self) {
            try CrossBatchMemory(loss: TripletMarginLoss(miner: BatchHardMiner()), memorySize: 8)
        }
        #expect(throws: TripletError.self) { try CrossBatchMemory(loss: TripletMarginLoss(swap: true), memorySize: 8) }
        #expect(throws: TripletError.self) {
            try CrossBatchMemory(loss: TripletMarginLoss(smooth: true), memorySize: 8)
        }
        #expect(throws: TripletError.self) { try CrossBatchMemory(loss: NTXentLoss(temperature: 0), memorySize: 8) }
        #expect(throws: TripletError.self) {
            try CrossBatchMemory(loss: ContrastiveLoss(), miner: MultiSimilarityMiner(epsilon: .nan), memorySize: 8)
        }
        #expect(throws: TripletError.self) {
            try CrossBatchMemory(
                loss: TripletMarginLoss(distance: .cosine), miner: TripletMarginMiner(), memorySize: 8
            )(batch.x, labels: batch.labels)
        }
        let memory = try CrossBatchMemory(loss: ContrastiveLoss(), memorySize: 12)
        _ = try memory(batch.x, labels: batch.labels)
        let wider = Fixture.batch(b: 6, d: 5, seed: 4)
        expectTripletError("another width") { try memory(wider.x, labels: wider.labels) }
        var nan = batch.x
        nan.scalars[3] = .nan
        expectTripletError("NaN") { try memory(nan, labels: batch.labels) }
        expectTripletError("labels") { try memory(batch.x, labels: [1, 2]) }
        expectTripletError("empty") { try memory(try Tensor(shape: [0, 3], scalars: []), labels: []) }
        #expect(memory.count == 6, "a refused batch is not written into the memory")
    }
}

@Suite("Anchor-to-reference distances")
struct ReferenceDistancesTests {
    /// The GEMM path (large products) agrees with pair-by-pair values and gradients, also for an anchor's
    /// own copy among the references (distance 0, recomputed exactly).
    @Test(arguments: Fixture.distances.map(\.1))
    func gemmPathMatchesDirectValues(distance: Distance) throws {
        let anchors = Fixture.batch(b: 64, d: 64, seed: 1).x
        var references = Fixture.batch(b: 600, d: 64, seed: 2).x
        references.scalars.replaceSubrange(0..<64 * 64, with: anchors.scalars)  // rows 0..<64 are the anchors
        let matrix = try ReferenceDistances(anchors: anchors, references: references, distance: distance, threads: 2)
        let normalize = { (t: Tensor) in distance.normalizesEmbeddings ? RowNormalization.forward(t).y : t }
        let x = normalize(anchors), y = normalize(references), d = 64, m = 600
        var g = (0..<(64 * m)).map { Float(($0 * 7919) % 13) / 13 - 0.5 }
        var expected = [Double](repeating: 0, count: 64 * d)
        for a in 0..<64 {
            for r in 0..<m {
                var dot = 0.0, squared = 0.0
                for k in 0..<d {
                    let u = Double(x.scalars[a * d + k]), v = Double(y.scalars[r * d + k])
                    dot += u * v
                    squared += (u - v) * (u - v)
                }
                let value: Double
                switch distance.kind {
                case .dotProduct: value = dot
                case .squaredEuclidean: value = squared
                case .euclidean: value = squared.squareRoot()
                }
                #expect(abs(Double(matrix.value(a, r)) - value) <= 1e-4 * max(1, abs(value)), "(\(a), \(r))")
                // dL/dx (before the normalisation's chain rule) of L = Σ g·d'.
                let gd = Double(g[a * m + r]) * (distance.isSimilarity ? -1 : 1)
                for k in 0..<d {
                    let u = Double(x.scalars[a * d + k]), v = Double(y.scalars[r * d + k])
                    switch distance.kind {
                    case .dotProduct: expected[a * d + k] += gd * v
                    case .squaredEuclidean: expected[a * d + k] += gd * 2 * (u - v)
                    case .euclidean: expected[a * d + k] += value > 0 ? gd * (u - v) / value : 0
                    }
                }
            }
        }
        #expect(matrix.value(3, 3) == (distance.kind == .dotProduct ? matrix.value(3, 3) : 0))
        var gradient = Tensor.zeros([64, d])
        gradient.scalars = expected.map(Float.init)
        if distance.normalizesEmbeddings {
            RowNormalization.backward(
                gradient: &gradient, normalized: x, divisors: RowNormalization.forward(anchors).divisors)
        }
        let got = matrix.backward(&g, scale: 1)
        let largest = gradient.scalars.map(abs).max() ?? 1
        let worst = zip(got.scalars, gradient.scalars).map { abs($0 - $1) }.max() ?? 0
        #expect(worst <= 1e-3 * largest, "worst \(worst) of \(largest)")
    }
}
