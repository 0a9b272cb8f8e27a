import TripletCore
import TripletNetworks

/// One BERT layer: self-attention (query, key, value, output projection), residual + LayerNorm, then
/// dense → exact GELU → dense, residual + LayerNorm.
final class BertBlock {
    let query: Dense, key: Dense, value: Dense, attentionOutput: Dense, attentionNorm: LayerNorm
    let intermediate: Dense, activation: GELU, output: Dense, outputNorm: LayerNorm
    let heads: Int
    /// What the backward pass needs of the last training forward pass.
    private var cache: (query: Tensor, key: Tensor, value: Tensor, probabilities: [Float], sequences: Int, length: Int)?

    init(configuration c: BertConfiguration, generator g: inout SeededGenerator) throws {
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
    }

    /// The layers under their Hugging Face names within the block.
    var namedLayers: [(name: String, layer: any Layer)] {
        [
            ("attention.self.query", query), ("attention.self.key", key), ("attention.self.value", value),
            ("attention.output.dense", attentionOutput), ("attention.output.LayerNorm", attentionNorm),
            ("intermediate.dense", intermediate), ("output.dense", output), ("output.LayerNorm", outputNorm),
        ]
    }

    /// The block on token states x [B·T, H] of sequences masked by `mask`; `training` keeps what `backward`
    /// needs.
    func callAsFunction(_ x: Tensor, mask: [[Int]], threads: Int, training: Bool = false) throws -> Tensor {
        let (q, k, v) = (
            try query(x, training: training), try key(x, training: training), try value(x, training: training)
        )
        let (b, t) = (mask.count, mask.first?.count ?? 0)
        var probabilities = training ? [Float](repeating: 0, count: b * heads * t * t) : []
        let context = probabilities.withUnsafeMutableBufferPointer { p in
            SelfAttention.forward(
                query: q, key: k, value: v, mask: mask, heads: heads, threads: threads,
                probabilities: training ? p : nil)
        }
        cache = training ? (q, k, v, probabilities, b, t) : nil
        let attended = try attentionNorm(try attentionOutput(context, training: training).adding(x), training: training)
        let transformed = try output(
            try activation(try intermediate(attended, training: training), training: training), training: training)
        return try outputNorm(transformed.adding(attended), training: training)
    }

    /// The gradient with respect to the block's input from its output's; parameter gradients accumulate.
    func backward(_ gradient: Tensor, threads: Int) throws -> Tensor {
        guard let cache else {
            throw TripletError.invalidParameter(
                name: "backward", value: "without a training forward pass", expected: "forward(training: true) first")
        }
        let sum = try outputNorm.backward(gradient)
        let dAttended = sum.adding(try intermediate.backward(try activation.backward(try output.backward(sum))))
        let h = try attentionNorm.backward(dAttended)
        let d = SelfAttention.backward(
            context: try attentionOutput.backward(h), query: cache.query, key: cache.key, value: cache.value,
            probabilities: cache.probabilities, sequences: cache.sequences, length: cache.length, heads: heads,
            threads: threads)
        return h.adding(try query.backward(d.query)).adding(try key.backward(d.key)).adding(try value.backward(d.value))
    }
}
