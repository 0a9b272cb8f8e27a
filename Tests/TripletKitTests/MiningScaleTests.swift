import Foundation
import Testing
import TripletKit
import TripletLosses

/// Cross-batch memory and hard-class sampling in a training run: they train, their state survives a
/// resume (the memory's ring is checkpointed; hard classes are re-mined from the restored weights), and
/// configurations that cannot work are refused by name.
@Suite("Cross-batch memory and hard-class sampling in training")
struct MiningScaleTests {
    static func digitsRun() throws -> (TrainingConfig, TrainingData) {
        let csv = try #require(Bundle.module.url(forResource: "Fixtures/digits", withExtension: "csv"))
        var config = TrainingSourcesTests.smallRun()
        config.data = .csv(path: csv.path, labelColumn: "label")
        config.split = .firstHalf
        config.options.epochs = 3
        config.options.batchSize = 32
        config.memorySize = 256
        config.hardClasses = HardClassMining(poolSize: 400, neighbors: 5)
        return (config, try TrainingData.load(config.data, split: config.split))
    }

    @Test func memoryAndHardClassesTrainAndResumeToTheSameWeights() throws {
        let (config, data) = try Self.digitsRun()
        let whole = try TripletProcess.temporaryFolder("xbm-whole")
        let uninterrupted = try TrainingRun.train(config, data: data, directory: whole, progress: false)
        let p = try #require(uninterrupted.history.last?.precisionAtOne)
        #expect(p > 0.8, "P@1 \(p)")
        #expect(
            uninterrupted.objective.buffers.map(\.name) == ["memory.embeddings", "memory.labels", "memory.position"])

        let parts = try TripletProcess.temporaryFolder("xbm-parts")
        var first = config
        first.options.epochs = 2
        try TrainingRun.train(first, data: data, directory: parts, progress: false)
        let resumed = try TrainingRun.train(config, data: data, directory: parts, resume: true, progress: false)
        #expect(resumed.network.stateDict().map(\.1) == uninterrupted.network.stateDict().map(\.1))
        #expect(resumed.objective.buffers.map(\.value) == uninterrupted.objective.buffers.map(\.value))
        for folder in [whole, parts] { try? FileManager.default.removeItem(at: folder) }
    }

    @Test func unsupportedCombinationsNameTheProperty() throws {
        func failure(_ change: (inout TrainingConfig) -> Void) -> String {
            var config = TrainingConfig()
            change(&config)
            do {
                try config.validate()
                return "no error"
            } catch { return "\(error)" }
        }
        #expect(failure { $0.memorySize = 100 }.contains("memorySize"))
        #expect(
            failure {
                $0.memorySize = 4096; $0.loss = .batchHardSoftMargin
            }.contains("loss"))
        #expect(failure { $0.hardClasses = HardClassMining(poolSize: 1) }.contains("hardClasses"))
        #expect(failure { $0.memorySize = 4096 } == "no error")
    }

    /// Companions meet in a batch, and every chunk is still used once.
    @Test func companionsShareBatches() throws {
        let labels = (0..<120).map { $0 % 6 }
        let sampler = try PKSampler(labels: labels, classesPerBatch: 2, samplesPerClass: 4, seed: 9)
        let companions = [[1], [0], [3], [2], [5], [4]]
        let batches = sampler.batches(epoch: 0, companions: companions)
        var seen: [Int: Int] = [:]
        for batch in batches {
            let classes = Set(batch.map { labels[$0] })
            #expect(classes.count == 2)
            for i in batch { seen[i, default: 0] += 1 }
            if let c = classes.min() { #expect(classes == [c, c ^ 1] || batch == batches.last, "\(classes)") }
        }
        #expect(seen.count == labels.count, "every sample is used")
    }
}
