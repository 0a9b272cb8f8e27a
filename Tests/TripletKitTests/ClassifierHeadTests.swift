import Foundation
import Testing
import TripletKit

/// Triplet + cross-entropy: the classification head's loss against an independent float64 formula, its
/// gradients against finite differences, and a run that trains, saves without the head and resumes.
@Suite("Classifier head (triplet + cross-entropy)")
struct ClassifierHeadTests {
    static func batch(seed: UInt64) throws -> (embeddings: Tensor, labels: [Int]) {
        var generator = SeededGenerator(seed: seed)
        let labels = [7, 2, 2, 9, 7, 4]
        let scalars = (0..<(labels.count * 5)).map { _ in generator.nextNormal() }
        return (try Tensor(shape: [labels.count, 5], scalars: scalars), labels)
    }

    /// weight × mean over rows of logsumexp(z) − z[target], in Double.
    static func crossEntropy(_ head: ClassifierHead, _ e: Tensor, _ labels: [Int]) -> Double {
        let w = head.dense.weight.value.scalars, b = head.dense.bias?.value.scalars ?? []
        let (c, d) = (head.classes.count, e.shape[1])
        var total = 0.0
        for (row, label) in labels.enumerated() {
            let z = (0..<c).map { j in
                Double(b[j]) + (0..<d).reduce(0.0) { $0 + Double(e.scalars[row * d + $1]) * Double(w[j * d + $1]) }
            }
            let top = z.max() ?? 0
            let target = head.classes.firstIndex(of: label) ?? 0
            total += top + log(z.reduce(0) { $0 + exp($1 - top) }) - z[target]
        }
        return Double(head.weight) * total / Double(labels.count)
    }

    @Test func lossMatchesTheFormulaAndGradientsMatchFiniteDifferences() throws {
        let (e, labels) = try Self.batch(seed: 4)
        let head = try ClassifierHead(embeddingDimension: 5, classes: labels, weight: 0.7, seed: 1)
        #expect(head.classes == [2, 4, 7, 9])
        for (_, p) in head.parameters { p.zeroGradient() }
        let (value, gradient) = try head.loss(e, labels: labels)
        #expect(abs(Double(value) - Self.crossEntropy(head, e, labels)) < 1e-5)

        let h = 1e-3
        var worst = 0.0
        for i in 0..<e.scalars.count {
            var plus = e.scalars, minus = e.scalars
            plus[i] += Float(h)
            minus[i] -= Float(h)
            let numeric =
                (Self.crossEntropy(head, try Tensor(shape: e.shape, scalars: plus), labels)
                    - Self.crossEntropy(head, try Tensor(shape: e.shape, scalars: minus), labels)) / (2 * h)
            worst = max(worst, abs(numeric - Double(gradient.scalars[i])))
        }
        for (name, parameter) in head.parameters {
            let analytic = parameter.gradient.scalars
            let original = parameter.value.scalars
            for i in 0..<original.count {
                var values = original
                values[i] = original[i] + Float(h)
                parameter.value = try Tensor(shape: parameter.value.shape, scalars: values)
                let up = Self.crossEntropy(head, e, labels)
                values[i] = original[i] - Float(h)
                parameter.value = try Tensor(shape: parameter.value.shape, scalars: values)
                let down = Self.crossEntropy(head, e, labels)
                parameter.value = try Tensor(shape: parameter.value.shape, scalars: original)
                let error = abs((up - down) / (2 * h) - Double(analytic[i]))
                #expect(error < 1e-3, "\(name)[\(i)]")
            }
        }
        #expect(worst < 1e-3)
    }

    @Test func badInputsAreClearErrors() throws {
        let (e, labels) = try Self.batch(seed: 5)
        #expect(throws: TripletError.self) {
            try ClassifierHead(embeddingDimension: 5, classes: [3, 3], weight: 1, seed: 0)
        }
        #expect(throws: TripletError.self) {
            try ClassifierHead(embeddingDimension: 5, classes: labels, weight: -1, seed: 0)
        }
        let head = try ClassifierHead(embeddingDimension: 5, classes: labels, weight: 1, seed: 0)
        #expect(throws: TripletError.self) { try head.loss(e, labels: [7, 2, 2, 9, 7, 5]) }
        #expect(throws: TripletError.self) { try head.loss(e, labels: [7, 2]) }
    }

    @Test func tripletPlusCrossEntropyTrainsSavesWithoutTheHeadAndResumes() throws {
        let csv = try #require(Bundle.module.url(forResource: "Fixtures/digits", withExtension: "csv"))
        var config = TrainingSourcesTests.smallRun()
        config.data = .csv(path: csv.path, labelColumn: "label")
        config.split = .firstHalf
        config.loss = .tripletMarginCrossEntropy
        config.ceWeight = 0.5
        config.options.epochs = 3
        config.options.samplesPerClass = 16
        let data = try TrainingData.load(config.data, split: config.split)
        config.options.schedule = .cosine(maxSteps: 3 * (try TrainingRun.stepsPerEpoch(config, data: data)), minimum: 0)

        let whole = try TripletProcess.temporaryFolder("ce-whole")
        let uninterrupted = try TrainingRun.train(config, data: data, directory: whole, progress: false)
        let p = try #require(uninterrupted.history.last?.precisionAtOne)
        #expect(p > 0.85, "P@1 \(p)")
        let saved = try SafeTensors.read(from: whole.appendingPathComponent("model.safetensors")).tensors
        #expect(!saved.contains { $0.0.hasPrefix("head.") })
        #expect(try TrainedModel(directory: whole).config?.loss == .tripletMarginCrossEntropy)

        let parts = try TripletProcess.temporaryFolder("ce-parts")
        var first = config
        first.options.epochs = 2
        try TrainingRun.train(first, data: data, directory: parts, progress: false)
        let resumed = try TrainingRun.train(config, data: data, directory: parts, resume: true, progress: false)
        #expect(resumed.network.stateDict().map(\.1) == uninterrupted.network.stateDict().map(\.1))
        #expect(
            resumed.objective.parameters.map(\.parameter.value)
                == uninterrupted.objective.parameters.map(\.parameter.value))
        for folder in [whole, parts] { try? FileManager.default.removeItem(at: folder) }
    }
}
