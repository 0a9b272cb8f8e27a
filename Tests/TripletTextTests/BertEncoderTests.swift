import Foundation
import Testing
import TripletCore
import TripletNetworks

@testable import TripletText

/// The encoder against transformers' BertModel (float64) on a tiny BERT with random weights
/// (`Benchmarks/reference/text_reference.py tiny`): token states and mean-pooled embeddings of padded batches.
@Suite("BERT encoder")
struct BertEncoderTests {
    struct Reference: Decodable {
        struct Batch: Decodable {
            var ids: [[Int]]
            var mask: [[Int]]
            var hidden_states: [[[Double]]]
            var pooled: [[Double]]
            var normalized: [[Double]]
        }
        var batches: [Batch]
        var gradient_weights: [[Double]]
    }

    static func fixture(_ name: String) throws -> URL {
        try #require(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil))
    }

    /// The largest |a − b| relative to the largest |b|.
    static func relativeError(_ a: [Float], _ b: [Double]) -> Double {
        let scale = b.map(abs).max() ?? 1
        return zip(a, b).map { abs(Double($0) - $1) }.max().map { $0 / scale } ?? 0
    }

    @Test func tokenStatesAndPooledEmbeddingsMatchTransformers() throws {
        let encoder = try BertEncoder(folder: try Self.fixture("tiny-bert"), threads: 2)
        #expect(encoder.configuration.hiddenSize == 32 && encoder.configuration.numHiddenLayers == 2)
        let reference = try JSONDecoder().decode(
            Reference.self, from: Data(contentsOf: try Self.fixture("tiny_bert_reference.json")))
        for batch in reference.batches {
            let tokens = TokenBatch(ids: batch.ids, mask: batch.mask)
            let states = try encoder.hiddenStates(tokens)
            var expected: [Double] = []
            var got: [Float] = []
            let (t, width) = (batch.ids[0].count, 32)
            for (b, mask) in batch.mask.enumerated() {
                for position in 0..<t where mask[position] == 1 {
                    expected += batch.hidden_states[b][position]
                    got += Array(states.scalars[((b * t + position) * width)..<((b * t + position + 1) * width)])
                }
            }
            #expect(Self.relativeError(got, expected) < 1e-5)
            let pooled = try encoder.embed(tokens, normalize: false)
            #expect(Self.relativeError(pooled.scalars, batch.pooled.flatMap { $0 }) < 1e-5)
            let normalized = try encoder.embed(tokens, normalize: true)
            #expect(Self.relativeError(normalized.scalars, batch.normalized.flatMap { $0 }) < 1e-5)
        }
    }

    @Test func everyParameterGradientMatchesPyTorch() throws {
        let encoder = try BertEncoder(folder: try Self.fixture("tiny-bert"), threads: 2)
        let reference = try JSONDecoder().decode(
            Reference.self, from: Data(contentsOf: try Self.fixture("tiny_bert_reference.json")))
        let batch = reference.batches[0]
        encoder.dropoutEnabled = false  // PyTorch's reference gradients are model.eval()'s
        encoder.zeroGradients()
        let embeddings = try encoder.embed(
            TokenBatch(ids: batch.ids, mask: batch.mask), normalize: true, training: true)
        let w = reference.gradient_weights.flatMap { $0.map(Float.init) }
        try encoder.backward(try Tensor(shape: embeddings.shape, scalars: w))
        let expected = Dictionary(
            uniqueKeysWithValues: try SafeTensors.read(from: try Self.fixture("tiny_bert_gradients.safetensors"))
                .tensors)
        #expect(expected.count == encoder.namedParameters.count)
        for (name, parameter) in encoder.namedParameters {
            let reference = try #require(expected[name], "\(name)")
            // 1e-4 of the largest entry; the key biases' true gradient is 0 (a softmax ignores a shift), where
            // float32 leaves noise of 1e-8.
            let scale = reference.scalars.map { abs(Double($0)) }.max() ?? 0
            let worst =
                zip(parameter.gradient.scalars, reference.scalars).map { abs(Double($0) - Double($1)) }.max() ?? 0
            #expect(worst <= 1e-4 * scale + 1e-7, "\(name): off by \(worst), largest \(scale)")
        }
    }

    @Test func badModelFoldersAndBatchesAreClearErrors() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bert-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(throws: TripletError.self) { try BertEncoder(folder: folder) }
        let source = try Self.fixture("tiny-bert")
        var config = try String(contentsOf: source.appendingPathComponent("config.json"), encoding: .utf8)
        try config.write(to: folder.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
        #expect(throws: TripletError.self) { try BertEncoder(folder: folder) }  // no model.safetensors
        config = config.replacingOccurrences(of: "\"hidden_size\": 32", with: "\"hidden_size\": 36")
        try config.write(to: folder.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(
            at: source.appendingPathComponent("model.safetensors"),
            to: folder.appendingPathComponent("model.safetensors"))
        #expect(throws: TripletError.self) { try BertEncoder(folder: folder) }  // 36 is not a multiple of 4 heads
        let encoder = try BertEncoder(folder: source)
        #expect(throws: TripletError.self) {
            try encoder.embed(TokenBatch(ids: [Array(repeating: 1, count: 40)], mask: [Array(repeating: 1, count: 40)]))
        }
        #expect(throws: TripletError.self) { try encoder.embed(TokenBatch(ids: [[1, 500]], mask: [[1, 1]])) }
        #expect(throws: TripletError.self) { try encoder.embed(TokenBatch(ids: [], mask: [])) }
        #expect(throws: TripletError.self) {
            try encoder.embed(TokenBatch(ids: [[1, 2], [3]], mask: [[1, 1], [1]]))
        }
        #expect(throws: TripletError.self) { try encoder.embed(TokenBatch(ids: [[1, 2]], mask: [[1]])) }
    }

    /// Sizes past the parameter limit, or more parameters than the weights file can hold, are refused
    /// before the encoder allocates anything.
    @Test func oversizedConfigsAreRefusedBeforeAllocating() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bert-huge-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data([0, 0, 0, 0, 0, 0, 0, 0]).write(to: folder.appendingPathComponent("model.safetensors"))
        func message(vocab: Int, hidden: Int) throws -> String {
            let config = """
                {"vocab_size": \(vocab), "hidden_size": \(hidden), "num_hidden_layers": 2, "num_attention_heads": 1,
                 "intermediate_size": 64, "max_position_embeddings": 64, "type_vocab_size": 2,
                 "layer_norm_eps": 1e-12, "hidden_act": "gelu"}
                """
            try Data(config.utf8).write(to: folder.appendingPathComponent("config.json"))
            do {
                _ = try BertEncoder(folder: folder)
                return "no error"
            } catch { return "\(error)" }
        }
        #expect(try message(vocab: 1 << 24, hidden: 1 << 24).contains("2^30"))
        #expect(try message(vocab: 1000, hidden: 32).contains("too few"))
    }

    /// With dropout (the config's 0.1 on hidden states and attention weights), the parameter gradients of
    /// a training pass match central differences of the same pass replayed with the same masks.
    @Test func dropoutGradientsMatchFiniteDifferences() throws {
        let encoder = try BertEncoder(folder: try Self.fixture("tiny-bert"), threads: 1)
        let ids: [[Int]] = [[101, 7, 19, 44, 102], [101, 3, 88, 102, 0]]
        let batch = TokenBatch(ids: ids, mask: [[1, 1, 1, 1, 1], [1, 1, 1, 1, 0]])
        let weights: [Float] = (0..<64).map { (i: Int) -> Float in Float((i * 37) % 11) / 11 - 0.5 }
        let start = encoder.dropoutState
        func loss() throws -> Double {
            encoder.dropoutState = start
            let e = try encoder.embed(batch, normalize: true, training: true)
            var total = 0.0
            for (a, b) in zip(e.scalars, weights) { total += Double(a) * Double(b) }
            return total
        }
        encoder.zeroGradients()
        encoder.dropoutState = start
        let e = try encoder.embed(batch, normalize: true, training: true)
        #expect(e != (try encoder.embed(batch, normalize: true)), "dropout changed nothing")
        encoder.dropoutState = start
        _ = try encoder.embed(batch, normalize: true, training: true)
        try encoder.backward(try Tensor(shape: e.shape, scalars: weights))
        let parameters = Dictionary(uniqueKeysWithValues: encoder.namedParameters.map { ($0.name, $0.parameter) })
        var checked = 0
        for name in [
            "encoder.layer.0.attention.self.query.weight", "encoder.layer.0.attention.self.value.weight",
            "encoder.layer.1.output.dense.weight", "encoder.layer.1.attention.output.dense.bias",
        ] {
            let parameter = try #require(parameters[name])
            for k in stride(from: 0, to: parameter.value.scalars.count, by: max(1, parameter.value.scalars.count / 6)) {
                let h: Float = 1e-2, original = parameter.value.scalars[k]
                parameter.value.scalars[k] = original + h
                let up = try loss()
                parameter.value.scalars[k] = original - h
                let down = try loss()
                parameter.value.scalars[k] = original
                let numeric: Double = (up - down) / Double(2 * h)
                let analytic = Double(parameter.gradient.scalars[k])
                #expect(
                    abs(numeric - analytic) <= 2e-3 + 2e-2 * abs(analytic), "\(name)[\(k)]: \(numeric) vs \(analytic)")
                checked += 1
            }
        }
        #expect(checked >= 20)
    }
}
