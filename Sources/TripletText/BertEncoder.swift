import Foundation
import TripletCore
import TripletNetworks

/// A BERT encoder with sentence-transformers' mean pooling: token, position and type embeddings with
/// LayerNorm, then N × (multi-head self-attention, residual + LayerNorm, feed-forward with exact GELU,
/// residual + LayerNorm); the sentence embedding is the mean of the token states under the attention mask,
/// optionally L2-normalised. Loads a Hugging Face BERT folder (`config.json`, `model.safetensors` with
/// Hugging Face's parameter names, an optional "bert." prefix).
///
/// ```swift
/// let encoder = try BertEncoder(folder: modelFolder)
/// let tokenizer = try BertTokenizer(vocabulary: Vocabulary(contentsOf: modelFolder.appendingPathComponent("vocab.txt")))
/// let embeddings = try encoder.embed(tokenizer.encode(batch: ["A cat sat.", "Un chat"]), normalize: true)
/// ```
public final class BertEncoder {
    /// The sizes.
    public let configuration: BertConfiguration
    /// Threads for the matrix products and the attention heads.
    public var threads: Int {
        didSet { for layer in allLayers { layer.threads = threads } }
    }
    let words: Embedding, positions: Embedding, types: Embedding, embeddingNorm: LayerNorm
    let embeddingDropout: Dropout
    let blocks: [BertBlock]
    /// Whether training passes (`training: true`) apply the config's dropout, as PyTorch's `model.train()`;
    /// false keeps training passes deterministic, as `model.eval()` (for gradient checks).
    public var dropoutEnabled = true
    /// Whether the last training pass applied dropout (its backward pass goes through the masks).
    private var lastPassDropped = false
    /// The last training pass's tokens, pooled means and whether they were normalised, for `backward`.
    private var poolingCache: (packed: PackedTokens, pooled: [Float], normalized: Bool, norms: [Float])?

    /// An encoder of `configuration` with weights drawn from `seed` (PyTorch's default initialisers).
    public convenience init(configuration: BertConfiguration, seed: UInt64 = 0, threads: Int = 1) throws {
        try self.init(configuration: configuration, seed: seed, threads: threads, drawingWeights: true)
    }

    /// An encoder of `configuration`; without `drawingWeights` its weights are zeros, for a caller that loads
    /// every one of them next (drawing 22 million random numbers was most of the time to load a model).
    init(configuration: BertConfiguration, seed: UInt64, threads: Int, drawingWeights: Bool) throws {
        try configuration.validate()
        self.configuration = configuration
        let width = configuration.hiddenSize
        (words, positions, types, embeddingNorm, embeddingDropout, blocks) = try Initializers.$drawsValues.withValue(
            drawingWeights
        ) {
            var g = SeededGenerator(seed: seed)
            // Dropout masks come from their own generator, so that they do not change the weights' initialisation.
            var dropoutSeeds = SeededGenerator(seed: seed ^ 0x4452_4F50)  // "DROP"
            return (
                try Embedding(count: configuration.vocabSize, dimension: width, generator: &g),
                try Embedding(count: configuration.maxPositionEmbeddings, dimension: width, generator: &g),
                try Embedding(count: configuration.typeVocabSize, dimension: width, generator: &g),
                try LayerNorm(normalizedShape: [width], eps: configuration.layerNormEps),
                try Dropout(p: configuration.hiddenDropout, generator: &dropoutSeeds),
                try (0..<configuration.numHiddenLayers).map { _ in
                    try BertBlock(configuration: configuration, generator: &g, dropoutSeeds: &dropoutSeeds)
                }
            )
        }
        self.threads = threads
        for layer in allLayers { layer.threads = threads }
    }

    /// The encoder of a Hugging Face BERT folder. Throws when config.json is missing or malformed, or when
    /// model.safetensors lacks a tensor or holds one of another shape (each named).
    public convenience init(folder: URL, threads: Int = 1) throws {
        let configuration = try BertConfiguration(contentsOf: folder.appendingPathComponent("config.json"))
        let file = folder.appendingPathComponent("model.safetensors")
        // At least a byte per parameter (8-bit tensors), checked before the encoder is allocated.
        let bytes = (try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int) ?? nil
        guard let bytes, Double(bytes) >= configuration.parameterCount else {
            throw TripletError.corruptFile(
                path: file.path,
                reason: bytes == nil
                    ? "cannot be read (the weights of the BERT folder)"
                    : "holds \(bytes ?? 0) bytes, too few for the \(Int(configuration.parameterCount)) parameters of config.json"
            )
        }
        try self.init(configuration: configuration, seed: 0, threads: threads, drawingWeights: false)
        var stored: [String: Tensor] = [:]
        for (name, tensor) in try SafeTensors.read(from: file).tensors {
            stored[name.hasPrefix("bert.") ? String(name.dropFirst(5)) : name] = tensor
        }
        for (name, parameter) in namedParameters {
            guard let tensor = stored[name] else {
                throw TripletError.corruptFile(path: file.path, reason: "has no tensor \(name)")
            }
            guard tensor.shape == parameter.value.shape else {
                throw TripletError.corruptFile(
                    path: file.path,
                    reason: "\(name) has shape \(tensor.shape), config.json makes it \(parameter.value.shape)")
            }
            parameter.value = tensor
        }
    }

    /// Every parameter under its Hugging Face name ("encoder.layer.0.attention.self.query.weight", …).
    public var namedParameters: [(name: String, parameter: Parameter)] {
        func named(_ prefix: String, _ layer: any Layer) -> [(name: String, parameter: Parameter)] {
            layer.namedParameters.map { ("\(prefix).\($0.name)", $0.parameter) }
        }
        return named("embeddings.word_embeddings", words) + named("embeddings.position_embeddings", positions)
            + named("embeddings.token_type_embeddings", types) + named("embeddings.LayerNorm", embeddingNorm)
            + blocks.enumerated().flatMap { index, block in
                block.namedLayers.flatMap { named("encoder.layer.\(index).\($0.name)", $0.layer) }
            }
    }

    var allLayers: [any Layer] {
        [words, positions, types, embeddingNorm] + blocks.flatMap { $0.namedLayers.map(\.layer) }
    }

    /// The generators of every dropout mask, in a fixed order: saved before a forward pass and restored, they
    /// make the next pass draw the same masks (to replay a pass for its backward).
    public var dropoutState: [SeededGenerator] {
        get { [embeddingDropout.generator] + blocks.flatMap(\.dropoutGenerators) }
        set {
            embeddingDropout.generator = newValue[0]
            for (index, block) in blocks.enumerated() {
                block.dropoutGenerators = Array(newValue[(1 + 3 * index)..<(4 + 3 * index)])
            }
        }
    }

    /// The token states [B·T, H] of a padded batch (token type 0 throughout), zero at padding. Throws for a
    /// sequence longer than the position embedding or an id outside the vocabulary.
    public func hiddenStates(_ batch: TokenBatch, training: Bool = false) throws -> Tensor {
        let packed = try pack(batch)
        let states = try packedStates(packed, training: training)
        let (t, width) = (batch.ids[0].count, configuration.hiddenSize)
        var padded = [Float](repeating: 0, count: batch.ids.count * t * width)
        for sequence in 0..<packed.sequences {
            for token in packed.rows(sequence) {
                let row = (sequence * t + packed.positions[token]) * width
                padded.replaceSubrange(
                    row..<(row + width), with: states.scalars[(token * width)..<((token + 1) * width)])
            }
        }
        return try Tensor(shape: [batch.ids.count * t, width], scalars: padded)
    }

    /// The real tokens of a checked batch, packed.
    func pack(_ batch: TokenBatch) throws -> PackedTokens {
        let (b, t) = (batch.ids.count, batch.ids.first?.count ?? 0)
        guard b > 0, t > 0 else { throw TripletError.emptyBatch }
        guard batch.mask.count == b, zip(batch.ids, batch.mask).allSatisfy({ $0.count == t && $1.count == t }),
            batch.mask.allSatisfy({ $0.allSatisfy { $0 == 0 || $0 == 1 } && $0.first == 1 })
        else {
            throw TripletError.invalidParameter(
                name: "batch", value: "ragged ids or mask",
                expected: "every row of ids and mask \(t) long, masks of 1s then 0s starting with a token")
        }
        guard t <= configuration.maxPositionEmbeddings else {
            throw TripletError.invalidParameter(
                name: "sequence length", value: "\(t)",
                expected: "at most \(configuration.maxPositionEmbeddings) tokens (the model's positions)")
        }
        return PackedTokens(batch)
    }

    /// The token states [tokens, H] of packed sequences (token type 0 throughout).
    func packedStates(_ packed: PackedTokens, training: Bool) throws -> Tensor {
        let n = packed.count
        let ids = try Tensor(shape: [n], scalars: packed.ids.map(Float.init))
        let positionIDs = try Tensor(shape: [n], scalars: packed.positions.map(Float.init))
        var x = try words(ids, training: training).adding(try positions(positionIDs, training: training))
        x = x.adding(try types(try Tensor(repeating: 0, shape: [n]), training: training))
        let dropping = training && dropoutEnabled
        if training { lastPassDropped = dropping }
        x = try embeddingDropout(try embeddingNorm(x, training: training), training: dropping)
        for block in blocks {
            x = try block(x, offsets: packed.offsets, threads: threads, training: training, dropout: dropping)
        }
        return x
    }

    /// Sentence embeddings [B, H]: the mean of each text's token states under its mask, L2-normalised when
    /// `normalize` (all-MiniLM-L6-v2's pipeline). `training` keeps what `backward` needs. The texts are
    /// packed: padding costs nothing, however long the batch's longest text.
    public func embed(_ batch: TokenBatch, normalize: Bool = true, training: Bool = false) throws -> Tensor {
        let packed = try pack(batch)
        let states = try packedStates(packed, training: training)
        let (b, width) = (packed.sequences, configuration.hiddenSize)
        var pooled = [Float](repeating: 0, count: b * width)
        var norms = [Float](repeating: 0, count: b)
        states.scalars.withUnsafeBufferPointer { s in
            pooled.withUnsafeMutableBufferPointer { pooled in
                for sequence in 0..<b {
                    let rows = packed.rows(sequence)
                    let out = pooled.baseAddress! + sequence * width
                    for token in rows {
                        let row = s.baseAddress! + token * width
                        for j in 0..<width { out[j] += row[j] }
                    }
                    let inverse = 1 / Float(rows.count)
                    var norm: Float = 0
                    for j in 0..<width {
                        out[j] *= inverse
                        norm += out[j] * out[j]
                    }
                    norms[sequence] = max(norm.squareRoot(), 1e-12)
                    if normalize {
                        let scale = 1 / norms[sequence]
                        for j in 0..<width { out[j] *= scale }
                    }
                }
            }
        }
        poolingCache = training ? (packed, pooled, normalize, norms) : nil
        return try Tensor(shape: [b, width], scalars: pooled)
    }

    /// Sets every parameter's gradient to zero.
    public func zeroGradients() {
        for (_, parameter) in namedParameters { parameter.zeroGradient() }
    }

    /// Back-propagates dL/d(embeddings) [B, H] of the last `embed(…, training: true)` into every parameter's
    /// gradient (accumulated).
    public func backward(_ gradient: Tensor) throws {
        guard let (packed, output, normalized, norms) = poolingCache, gradient.scalars.count == output.count else {
            throw TripletError.invalidParameter(
                name: "backward", value: "a gradient without its training pass",
                expected: "the [B, H] gradient of the last embed(…, training: true)")
        }
        let (b, width) = (packed.sequences, configuration.hiddenSize)
        var states = [Float](repeating: 0, count: packed.count * width)
        for sequence in 0..<b {
            let row = Array(gradient.scalars[(sequence * width)..<((sequence + 1) * width)])
            let e = Array(output[(sequence * width)..<((sequence + 1) * width)])
            var dPooled = row
            if normalized {
                // e = p / ‖p‖: dp = (de − e·(e·de)) / ‖p‖; ‖p‖ from the mean the forward pass normalised.
                let norm = norms[sequence]
                let dot = zip(e, row).reduce(0) { $0 + $1.0 * $1.1 }
                dPooled = (0..<width).map { (row[$0] - e[$0] * dot) / norm }
            }
            let rows = packed.rows(sequence)
            let share = dPooled.map { $0 / Float(rows.count) }
            for token in rows { states.replaceSubrange((token * width)..<((token + 1) * width), with: share) }
        }
        var x = try Tensor(shape: [packed.count, width], scalars: states)
        for block in blocks.reversed() { x = try block.backward(x, threads: threads) }
        x = try embeddingNorm.backward(lastPassDropped ? try embeddingDropout.backward(x) : x)
        for embedding in [words, positions, types] { _ = try embedding.backward(x) }
    }
}
