import TripletCore
import TripletNetworks

/// One BERT layer: self-attention (query, key, value, output projection), residual + LayerNorm, then
/// dense → exact GELU → dense, residual + LayerNorm; in training with dropout, dropout on the attention
/// weights and on both sub-layers' outputs before their residual sums (as Hugging Face's BertLayer).
final class BertBlock {
    let query: Dense, key: Dense, value: Dense, attentionOutput: Dense, attentionNorm: LayerNorm
    let intermediate: Dense, activation: GELU, output: Dense, outputNorm: LayerNorm
    let attentionOutputDropout: Dropout, outputDropout: Dropout
    let heads: Int
    /// The attention weights' dropout probability, and the generator of each forward pass's mask seed.
    let attentionDropout: Float
    var attentionGenerator: SeededGenerator
    /// What the backward pass needs of the last training forward pass.
    private var cache:
        (
            query: Tensor, key: Tensor, value: Tensor, probabilities: [Float], offsets: [Int],
            dropout: SelfAttention.DropoutMasks?, dropped: Bool
        )?

    init(
        configuration c: BertConfiguration, generator g: inout SeededGenerator, dropoutSeeds: inout SeededGenerator
    ) throws {
        let (width, inner) = (c.hiddenSize, c.intermediateSize)
        query = try Dense(inputs: width, outputs: width, generator: &g)
        key = try Dense(inputs: width, outputs: width, generator: &g)
        value = try Dense(inputs: width, outputs: width, generator: &g)
        attentionOutput = try Dense(inputs: width, outputs: width, generator: &g)
        attentionNorm = try LayerNorm(normalizedShape: [width], eps: c.layerNormEps)
        intermediate = try Dense(inputs: width, outputs: inner, generator: &g)
        activation = GELU(approximate: .exact)
        output = try Dense(inputs: inner, outputs: width, generator: &g)
        outputNorm = try LayerNorm(normalizedShape: [width], eps: c.layerNormEps)
        heads = c.numAttentionHeads
        attentionOutputDropout = try Dropout(p: c.hiddenDropout, generator: &dropoutSeeds)
        outputDropout = try Dropout(p: c.hiddenDropout, generator: &dropoutSeeds)
        attentionDropout = c.attentionDropout
        attentionGenerator = SeededGenerator(seed: dropoutSeeds.next())
    }

    /// The generators of every dropout mask of the block (saved and restored to replay a forward pass).
    var dropoutGenerators: [SeededGenerator] {
        get { [attentionOutputDropout.generator, outputDropout.generator, attentionGenerator] }
        set {
            (attentionOutputDropout.generator, outputDropout.generator, attentionGenerator) =
                (newValue[0], newValue[1], newValue[2])
        }
    }

    /// The layers under their Hugging Face names within the block.
    var namedLayers: [(name: String, layer: any Layer)] {
        [
            ("attention.self.query", query), ("attention.self.key", key), ("attention.self.value", value),
            ("attention.output.dense", attentionOutput), ("attention.output.LayerNorm", attentionNorm),
            ("intermediate.dense", intermediate), ("output.dense", output), ("output.LayerNorm", outputNorm),
        ]
    }

    /// The block on the states x [tokens, H] of packed sequences (rows `offsets[s] ..< offsets[s + 1]`);
    /// `training` keeps what `backward` needs, and `dropout` (in training) draws the block's dropout masks.
    func callAsFunction(
        _ x: Tensor, offsets: [Int], threads: Int, training: Bool = false, dropout: Bool = false
    ) throws -> Tensor {
        let (q, k, v) = (
            try query(x, training: training), try key(x, training: training), try value(x, training: training)
        )
        let dropping = training && dropout
        let masks =
            dropping && attentionDropout > 0
            ? SelfAttention.DropoutMasks(p: attentionDropout, seed: attentionGenerator.next()) : nil
        var probabilities =
            training
            ? [Float](repeating: 0, count: SelfAttention.WeightLayout(offsets: offsets, heads: heads).count) : []
        let context = probabilities.withUnsafeMutableBufferPointer { p in
            SelfAttention.forward(
                query: q, key: k, value: v, offsets: offsets, heads: heads, threads: threads,
                probabilities: training ? p : nil, dropout: masks)
        }
        cache = training ? (q, k, v, probabilities, offsets, masks, dropping) : nil
        let projected = try attentionOutputDropout(try attentionOutput(context, training: training), training: dropping)
        let attended = try attentionNorm(projected.adding(x), training: training)
        var inner = try intermediate(attended, training: training)
        if training {
            inner = try activation(inner, training: true)
        } else {
            try GELU.applyExact(&inner, threads: threads)
        }
        let transformed = try outputDropout(try output(inner, training: training), training: dropping)
        return try outputNorm(transformed.adding(attended), training: training)
    }

    /// The gradient with respect to the block's input from its output's; parameter gradients accumulate.
    func backward(_ gradient: Tensor, threads: Int) throws -> Tensor {
        guard let cache else {
            throw TripletError.invalidParameter(
                name: "backward", value: "without a training forward pass", expected: "forward(training: true) first")
        }
        let sum = try outputNorm.backward(gradient)
        let dTransformed = cache.dropped ? try outputDropout.backward(sum) : sum
        let dAttended = sum.adding(
            try intermediate.backward(try activation.backward(try output.backward(dTransformed))))
        let h = try attentionNorm.backward(dAttended)
        let d = SelfAttention.backward(
            context: try attentionOutput.backward(cache.dropped ? try attentionOutputDropout.backward(h) : h),
            query: cache.query,
            key: cache.key, value: cache.value, probabilities: cache.probabilities, offsets: cache.offsets,
            heads: heads, threads: threads, dropout: cache.dropout)
        return h.adding(try query.backward(d.query)).adding(try key.backward(d.key)).adding(try value.backward(d.value))
    }
}
