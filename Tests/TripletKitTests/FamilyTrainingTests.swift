import Foundation
import Testing
import TripletKit

/// One epoch with each of the family's other losses (the ladder, the triplet network) on the digits CSV
/// fixture, and their options in model.json.
@Suite("Training with the ladder and triplet-network losses")
struct FamilyTrainingTests {
    static func digitsRun(_ loss: LossChoice) throws -> (TrainingConfig, TrainingData) {
        let csv = try #require(Bundle.module.url(forResource: "Fixtures/digits", withExtension: "csv"))
        var config = TrainingSourcesTests.smallRun()
        config.data = .csv(path: csv.path, labelColumn: "label")
        config.split = .firstHalf
        config.options.epochs = 1
        config.options.samplesPerClass = 16
        config.loss = loss
        return (config, try TrainingData.load(config.data, split: config.split))
    }

    @Test(arguments: [LossChoice.ladder, .tripletNetwork])
    func oneEpochTrains(loss: LossChoice) throws {
        var (config, data) = try Self.digitsRun(loss)
        if loss == .ladder {
            config.ladder = LadderOptions(
                coarseGroups: try LadderOptions.parseGroups("0,6,8,9:1,4,7:2,3,5"), margins: [0.2, 0.1],
                weights: [1, 0.5])
        }
        let folder = try TripletProcess.temporaryFolder("family-\(loss.rawValue)")
        let trainer = try TrainingRun.train(config, data: data, directory: folder, progress: false)
        let epoch = try #require(trainer.history.last)
        #expect(epoch.loss.isFinite && epoch.loss > 0, "loss \(epoch.loss)")
        #expect((epoch.precisionAtOne ?? 0) > 0.5, "P@1 \(epoch.precisionAtOne ?? -1)")
        // The options travel with the model.
        let stored = try #require(try TrainedModel(directory: folder).config)
        #expect(stored.loss == loss && stored.ladder == config.ladder)
        try? FileManager.default.removeItem(at: folder)
    }

    @Test func tripletNetworkLearnsFromExplicitTriplets() throws {
        var (config, data) = try Self.digitsRun(.tripletNetwork)
        config.split = nil
        let folder = try TripletProcess.temporaryFolder("family-triplets")
        // Each sample, the next one of its digit, the next one of another digit.
        let labels = data.train.labels
        let lines = (0..<400).compactMap { a -> String? in
            guard let p = labels.indices.first(where: { $0 > a && labels[$0] == labels[a] }),
                let n = labels.indices.first(where: { $0 > a && labels[$0] != labels[a] })
            else { return nil }
            return "\(a),\(p),\(n)"
        }
        let file = folder.appendingPathComponent("triplets.csv")
        try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        config.triplets = TripletTraining(file: file.path, heldOut: 0.2, tripletsPerBatch: 32)
        let trainer = try TrainingRun.train(config, data: data, directory: folder, progress: false)
        #expect((trainer.history.last?.tripletAccuracy ?? 0) > 0.5)
        try? FileManager.default.removeItem(at: folder)
    }

    @Test func ladderNeedsItsGroups() throws {
        var config = TrainingConfig()
        config.loss = .ladder
        #expect(throws: TripletError.self) { try config.validate() }
        config.ladder = LadderOptions(coarseGroups: [[0, 1], [1, 2]])
        #expect(throws: TripletError.self) { try config.validate() }
        config.ladder = LadderOptions(coarseGroups: [[0, 1], [2]], margins: [0.2])
        #expect(throws: TripletError.self) { try config.validate() }
        config.ladder = LadderOptions(coarseGroups: [[0, 1], [2]])
        try config.validate()
        #expect(throws: TripletError.self) { try LadderOptions.parseGroups("0,1::2") }
        #expect(try LadderOptions.parseGroups("0,2, 4:5") == [[0, 2, 4], [5]])
        let data = try JSONEncoder().encode(config)
        #expect(try JSONDecoder().decode(TrainingConfig.self, from: data) == config)
    }
}

/// `triplet evaluate --coarse-groups` adds NDCG@k and graded MAP.
@Suite("Evaluating with graded relevance")
struct GradedEvaluationCommandTests {
    @Test func evaluateReportsNDCGAndGradedMAP() throws {
        let folder = try TripletProcess.temporaryFolder("graded-evaluate")
        defer { try? FileManager.default.removeItem(at: folder) }
        try TripletProcess.writeClusteredEmbeddings(in: folder, classes: 4, seed: 5)
        let out = folder.appendingPathComponent("evaluation.json")
        let run = try TripletProcess.run([
            "evaluate", "--embeddings", folder.appendingPathComponent("e.npy").path, "--labels",
            folder.appendingPathComponent("l.npy").path, "--coarse-groups", "0,1:2,3", "--ndcg-k", "5", "--out",
            out.path,
        ])
        #expect(run.status == 0, "\(run.error)")
        #expect(run.output.contains("NDCG@5") && run.output.contains("graded MAP"))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: out)) as? [String: Any]
        let graded = try #require(json?["graded"] as? [String: Any])
        let ndcg = try #require(graded["ndcg_at_k"] as? Double)
        #expect(ndcg > 0.5 && ndcg <= 1)
        #expect(graded["graded_map"] != nil && graded["map_per_threshold"] != nil)
    }
}
