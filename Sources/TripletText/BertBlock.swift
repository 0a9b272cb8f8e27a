import TripletCore
import TripletNetworks

/// One BERT layer: self-attention (query, key, value, output projection), residual + LayerNorm, then
/// dense → exact GELU → dense, residual + LayerNorm.
final class BertBlock {
    let query: Dense, key: Dense, value: Dense, attentionOutput: Dense, attentionNorm: LayerNorm
    let intermediate: Dense, activation: GELU, output: Dense, outputNorm: LayerNorm
    let heads: Int

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

    /// The block on token states x [B·T, H] of sequences masked by `mask`.
    func callAsFunction(_ x: Tensor, mask: [[Int]], threads: Int) throws -> Tensor {
        let context = SelfAttention.forward(
            query: try query(x), key: try key(x), value: try value(x), mask: mask, heads: heads, threads: threads)
        let attended = try attentionNorm(try attentionOutput(context).adding(x))
        let transformed = try output(try activation(try intermediate(attended)))
        return try outputNorm(transformed.adding(attended))
    }
}
