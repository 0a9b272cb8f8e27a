import Foundation
import Testing
import TripletKit

/// The README's "custom network on custom data" example, run as written on a small image folder.
@Suite("README example")
struct ReadmeExampleTests {
    @Test func customNetworkOnCustomData() throws {
        let root = try TrainingSourcesTests.temporaryFolder("readme")
        defer { try? FileManager.default.removeItem(at: root) }
        let photos = root.appendingPathComponent("photos")
        // Eight classes of 12×10 colour images: a bright square whose place and colour depend on the class.
        var generator = SeededGenerator(seed: 4)
        for c in 0..<8 {
            let folder = photos.appendingPathComponent("class-\(c)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for i in 0..<12 {
                var pixels = [UInt8](repeating: 0, count: 12 * 10 * 3)
                for y in 0..<10 {
                    for x in 0..<12 {
                        let inside = (x / 6) + 2 * (y / 5) == c % 4
                        for k in 0..<3 {
                            let level =
                                (inside ? (k == c / 4 ? 220.0 : 120.0) : 30.0) + 20 * Double(generator.nextNormal())
                            pixels[(y * 12 + x) * 3 + k] = UInt8(max(0, min(255, level)))
                        }
                    }
                }
                let png = try ImageEncoder.png(width: 12, height: 10, channels: 3, pixels: pixels)
                try Data(png).write(to: folder.appendingPathComponent("\(i).png"))
            }
        }
        let runs = root.appendingPathComponent("runs/photos")

        // --- README (with "photos" and URL(fileURLWithPath: "runs/photos") for these paths): begin
        // Your data: a folder of class sub-folders, decoded once (in parallel) at 16×16 RGB; train on the
        // first half of the classes, evaluate retrieval on the unseen rest.
        let source = DataSource.imageFolder(
            path: photos.path, size: ImageSize(width: 16, height: 16), channels: .rgb, skipBadFiles: false)
        var data = try TrainingData.load(source, split: .firstHalf)
        let statistics = try ChannelNormalization.estimate(from: data.train.inputs)
        try data.standardise(with: statistics)

        // Your network: any layers, containers nest.
        let network = try Sequential(
            [
                .conv2d(inChannels: 3, outChannels: 16, kernel: 3, padding: 1), .batchNorm2d(channels: 16), .relu,
                .maxPool2d(kernel: 2, stride: 2),
                .residual(body: [.conv2d(inChannels: 16, outChannels: 16, kernel: 3, padding: 1), .relu]),
                .globalAveragePool2d, .dense(inputs: 16, outputs: 32), .l2Normalize,
            ], seed: 0)

        // A mined triplet loss, a warm-up + cosine schedule, progress and checkpoints as callbacks.
        var options = TrainingOptions()
        (options.epochs, options.batchSize, options.samplesPerClass) = (8, 16, 4)
        options.schedule = .warmup(steps: 4, startFactor: 0.1, then: .cosine(maxSteps: 28, minimum: 0))
        let trainer = try Trainer(
            network: network, optimizer: try AdamW(weightDecay: 1e-4),
            loss: TripletMarginLoss(margin: 0.2, miner: TripletMarginMiner(margin: 0.2, type: .semihard)),
            train: data.train, evaluation: data.evaluation, options: options)
        trainer.callbacks = [
            ProgressCallback(),
            CheckpointCallback(directory: runs, config: nil, inputShape: [3, 16, 16], normalization: statistics),
        ]
        let history = try trainer.run()
        print(history.last?.precisionAtOne ?? 0)
        // --- README: end

        #expect(history.count == 8)
        #expect((history.last?.precisionAtOne ?? 0) > 0.6, "P@1 on the unseen classes: \(history)")
        // The folder the callback wrote is a model that embeds raw image files.
        let model = try TrainedModel(directory: runs)
        let files = ["photos/class-5/0.png", "photos/class-5/1.png"].map { root.appendingPathComponent($0) }
        #expect(try model.embed(try model.readImages(files)).shape == [2, 32])
    }
}
