import Foundation
import Testing
import TripletKit

/// Training from every kind of source: an image folder (the same run as the IDX files), a CSV table,
/// explicit triplets without labels, and the normalisation that travels with the model.
@Suite("Training sources")
struct TrainingSourcesTests {
    static let hasFashionMNIST = FileManager.default.fileExists(atPath: FashionMNIST.defaultDirectory.path)

    static func temporaryFolder(_ name: String) throws -> URL { try TripletProcess.temporaryFolder(name) }

    /// The first `count` rows of a Fashion-MNIST split written as PNG files ROOT/<label>/<row>.png (or JPEG).
    static func writeImages(_ data: Dataset, count: Int, to root: URL, jpeg: Bool = false) throws {
        for row in 0..<count {
            let folder = root.appendingPathComponent("\(data.labels[row])")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let pixels = data.inputs.row(row).map { UInt8(($0 * 255).rounded()) }
            let bytes =
                jpeg
                ? try ImageEncoder.jpeg(width: 28, height: 28, channels: 1, pixels: pixels, quality: 95)
                : try ImageEncoder.png(width: 28, height: 28, channels: 1, pixels: pixels)
            let name = String(format: "%05d.%@", row, jpeg ? "jpg" : "png")
            try Data(bytes).write(to: folder.appendingPathComponent(name))
        }
    }

    static func smallRun() -> TrainingConfig {
        var config = TrainingConfig()
        config.model = .mlp
        config.options.epochs = 2
        config.options.batchSize = 64
        config.options.samplesPerClass = 8
        config.options.threads = 2
        config.options.seed = 3
        return config
    }

    @Test(.enabled(if: hasFashionMNIST))
    func imageFolderTrainsAsTheIDXFiles() throws {
        let root = try Self.temporaryFolder("png-folder")
        let fashion = DataSource.fashionMNIST(directory: nil)
        let (train, test) = (try fashion.load(split: .train).dataset, try fashion.load(split: .test).dataset)
        try Self.writeImages(train, count: 1200, to: root.appendingPathComponent("train"))
        try Self.writeImages(test, count: 400, to: root.appendingPathComponent("test"))

        var idx = Self.smallRun()
        idx.sampleLimit = 1200
        let fromIDX = try TrainingRun.train(
            idx, data: try TrainingData(train: train.subset(Array(0..<1200)), evaluation: test.subset(Array(0..<400))),
            directory: root.appendingPathComponent("run-idx"), progress: false)

        var folder = Self.smallRun()
        folder.data = .imageFolder(
            path: root.appendingPathComponent("train").path, size: nil, channels: .grey, skipBadFiles: false)
        folder.evaluationData = .imageFolder(
            path: root.appendingPathComponent("test").path, size: nil, channels: .grey, skipBadFiles: false)
        let data = try TrainingData.load(folder.data, evaluationSource: folder.evaluationData)
        #expect(data.train.count == 1200 && data.evaluation?.count == 400)
        let fromFolder = try TrainingRun.train(
            folder, data: data, directory: root.appendingPathComponent("run-png"), progress: false)

        // The same images in the same P×K batches: the same weights, the same metrics.
        #expect(fromFolder.network.stateDict().map(\.1) == fromIDX.network.stateDict().map(\.1))
        for (a, b) in zip(fromFolder.history, fromIDX.history) {
            #expect(abs((a.precisionAtOne ?? -1) - (b.precisionAtOne ?? 1)) < 1e-9)
            #expect(abs((a.mapAtR ?? -1) - (b.mapAtR ?? 1)) < 1e-9)
        }
        // The model remembers the standardisation, so its folder embeds raw images as training saw them.
        let model = try TrainedModel(directory: root.appendingPathComponent("run-png"))
        let stats = try #require(model.normalization)
        #expect(abs(stats.mean[0] - 0.286) < 0.02 && abs(stats.std[0] - 0.353) < 0.02)
        let files = ["0/00001.png", "9/00000.png"].map { root.appendingPathComponent("train/\($0)") }
        let fromFiles = try model.embed(try model.readImages(files))
        let fromRows = try model.embed(try train.inputs.rows([1, 0]))
        #expect(fromFiles == fromRows)
        try? FileManager.default.removeItem(at: root)
    }

    @Test func digitsTrainFromTheCSVFixture() throws {
        let csv = try #require(Bundle.module.url(forResource: "Fixtures/digits", withExtension: "csv"))
        var config = Self.smallRun()
        config.data = .csv(path: csv.path, labelColumn: "label")
        config.split = .firstHalf
        config.options.epochs = 5
        config.options.samplesPerClass = 16  // 4 of the 5 training classes in each batch of 64
        let data = try TrainingData.load(config.data, split: config.split)
        #expect(data.train.inputs.shape == [901, 64])
        #expect(Set(data.train.labels) == Set(0..<5) && Set(data.evaluation?.labels ?? []) == Set(5..<10))
        let folder = try Self.temporaryFolder("digits")
        let trainer = try TrainingRun.train(config, data: data, directory: folder, progress: false)
        // Retrieval among the five digits it never trained on, from 64 pixel features.
        let last = try #require(trainer.history.last?.precisionAtOne)
        #expect(last > 0.85, "P@1 \(last)")
        try? FileManager.default.removeItem(at: folder)
    }

    @Test func explicitTripletsTrainWithoutLabels() throws {
        // Two clusters of points in 8 dimensions; the triplets say which points belong together, the data
        // carries no labels.
        var generator = SeededGenerator(seed: 9)
        let count = 200
        let cluster = (0..<count).map { $0 % 2 }
        let scalars = cluster.flatMap { c in (0..<8).map { Float($0 < 4 ? c : 1 - c) + 0.8 * generator.nextNormal() } }
        let folder = try Self.temporaryFolder("triplets")
        let features = folder.appendingPathComponent("x.npy")
        try NPY.write(try Tensor(shape: [count, 8], scalars: scalars), to: features)
        var lines = ["# anchor, positive, negative"]
        for i in 0..<600 {
            let a = (i * 7) % count
            let p = (a + 2 * (1 + i % 50)) % count
            let n = (a + 1 + 2 * (i % 40)) % count
            lines.append("\(a),\(p),\(n)")
        }
        let tripletFile = folder.appendingPathComponent("triplets.csv")
        try lines.joined(separator: "\n").write(to: tripletFile, atomically: true, encoding: .utf8)

        var config = Self.smallRun()
        config.data = .npy(features: features.path, labels: nil)
        config.triplets = TripletTraining(file: tripletFile.path, heldOut: 0.2, tripletsPerBatch: 32)
        config.options.epochs = 4
        let data = try TrainingData.load(config.data)
        let trainer = try TrainingRun.train(config, data: data, directory: folder, progress: false)
        let accuracy = try #require(trainer.history.last?.tripletAccuracy)
        #expect(accuracy > 0.9, "held-out triplet accuracy \(accuracy)")
        #expect(trainer.history.allSatisfy { $0.precisionAtOne == nil })
        #expect(try TrainedModel(directory: folder).config?.triplets?.heldOut == 0.2)
        try? FileManager.default.removeItem(at: folder)
    }
}

/// Every kind of value a `TrainingConfig` holds survives model.json's encoding.
@Suite("Training configuration")
struct TrainingConfigCodingTests {
    @Test(arguments: [0, 1, 2])
    func configurationsRoundTripThroughTheSidecarCoding(variant: Int) throws {
        var config = TrainingConfig()
        config.model = .resnet
        config.architecture = variant == 0 ? nil : [.flatten, .dense(inputs: 784, outputs: 8), .l2Normalize]
        config.data =
            [
                DataSource.fashionMNIST(directory: "/data"),
                .imageFolder(
                    path: "photos", size: ImageSize(width: 32, height: 24), channels: .rgb, skipBadFiles: true),
                .npy(features: "x.npy", labels: nil),
            ][variant]
        config.evaluationData = variant == 1 ? .csv(path: "e.csv", labelColumn: "label") : nil
        config.split = [ClassSplit.classes([0, 2, 5]), .firstHalf, nil][variant]
        config.normalization =
            [
                InputNormalization.given(try ChannelNormalization(mean: [0.5, 0.4, 0.3], std: [0.2, 0.2, 0.25])),
                .estimate, InputNormalization.none,
            ][variant]
        config.triplets = variant == 2 ? TripletTraining(file: "t.csv", heldOut: 0.25, tripletsPerBatch: 64) : nil
        config.loss = [LossChoice.tripletMargin, .contrastive, .ntxent][variant]
        config.miner = [MinerChoice.batchHard, .semihard, .none][variant]
        config.optimizer = [OptimizerChoice.sgd, .adamw, .adam][variant]
        config.options.schedule = .warmup(steps: 10, startFactor: 0.1, then: .step(stepSize: 100, gamma: 0.5))
        config.options.augmentation = ImageAugmentation(padding: 3, horizontalFlip: variant == 1)
        config.sampleLimit = variant == 0 ? 500 : nil
        let data = try JSONFiles.encoder.encode(config)
        #expect(try JSONFiles.decoder.decode(TrainingConfig.self, from: data) == config)
        #expect(try JSONDecoder().decode(TrainingConfig.self, from: JSONEncoder().encode(config)) == config)
    }
}
