import Foundation
import TripletCore

/// The sizes of a BERT encoder, as Hugging Face's `config.json` states them.
public struct BertConfiguration: Codable, Equatable, Sendable {
    /// Tokens in the vocabulary.
    public var vocabSize: Int
    /// Width of every hidden state.
    public var hiddenSize: Int
    /// Transformer layers.
    public var numHiddenLayers: Int
    /// Attention heads per layer (hiddenSize is a multiple of it).
    public var numAttentionHeads: Int
    /// Width of the feed-forward block.
    public var intermediateSize: Int
    /// Positions the position embedding covers.
    public var maxPositionEmbeddings: Int
    /// Token types (segments).
    public var typeVocabSize: Int
    /// LayerNorm's epsilon.
    public var layerNormEps: Float
    /// The feed-forward activation; only "gelu" (exact, erf) is supported.
    public var hiddenAct: String
    /// Dropout on the embeddings and on each sub-layer's output in training (Hugging Face's default 0.1).
    public var hiddenDropoutProb: Float?
    /// Dropout on the attention weights in training (Hugging Face's default 0.1).
    public var attentionProbsDropoutProb: Float?

    /// `hiddenDropoutProb`, 0.1 when config.json does not say.
    public var hiddenDropout: Float { hiddenDropoutProb ?? 0.1 }
    /// `attentionProbsDropoutProb`, 0.1 when config.json does not say.
    public var attentionDropout: Float { attentionProbsDropoutProb ?? 0.1 }

    enum CodingKeys: String, CodingKey {
        case vocabSize = "vocab_size", hiddenSize = "hidden_size", numHiddenLayers = "num_hidden_layers"
        case numAttentionHeads = "num_attention_heads", intermediateSize = "intermediate_size"
        case maxPositionEmbeddings = "max_position_embeddings", typeVocabSize = "type_vocab_size"
        case layerNormEps = "layer_norm_eps", hiddenAct = "hidden_act"
        case hiddenDropoutProb = "hidden_dropout_prob", attentionProbsDropoutProb = "attention_probs_dropout_prob"
    }

    /// Reads `config.json`; throws a `corruptFile` error naming what is missing or does not fit.
    public init(contentsOf url: URL) throws {
        guard let bytes = try? FileIO.readBytes(url) else {
            throw TripletError.corruptFile(path: url.path, reason: "cannot be read (a Hugging Face BERT config.json)")
        }
        try self.init(data: Data(bytes), path: url.path)
    }

    /// Decodes the bytes of a `config.json` read from `path` (named in errors).
    public init(data: Data, path: String) throws {
        do {
            self = try JSONDecoder().decode(BertConfiguration.self, from: data)
        } catch {
            throw TripletError.corruptFile(path: path, reason: "not a BERT config.json: \(error)")
        }
        do {
            try validate()
        } catch TripletError.invalidParameter(let name, let value, let expected) {
            throw TripletError.corruptFile(path: path, reason: "\(name) \(value): expected \(expected)")
        }
    }

    /// The parameters of an encoder of these sizes (embeddings, then each layer's attention, feed-forward
    /// and LayerNorms), as a Double so that no size overflows.
    public var parameterCount: Double {
        let h = Double(hiddenSize), i = Double(intermediateSize)
        let embeddings = Double(vocabSize + maxPositionEmbeddings + typeVocabSize) * h + 2 * h
        let layer = 4 * (h * h + h) + 2 * (h * i) + i + h + 4 * h
        return embeddings + Double(numHiddenLayers) * layer
    }

    /// The most parameters an encoder may have (4 GiB of Float32): a config past it is refused before
    /// anything is allocated.
    public static let parameterLimit = Double(1 << 30)

    /// Throws when a size is not positive, the width is not a multiple of the heads, or the activation is
    /// not "gelu".
    public func validate() throws {
        for (name, value) in [
            ("vocab_size", vocabSize), ("hidden_size", hiddenSize), ("num_hidden_layers", numHiddenLayers),
            ("num_attention_heads", numAttentionHeads), ("intermediate_size", intermediateSize),
            ("max_position_embeddings", maxPositionEmbeddings), ("type_vocab_size", typeVocabSize),
        ] where value < 1 || value > 1 << 24 {
            throw TripletError.invalidParameter(name: name, value: "\(value)", expected: "1 to 2^24")
        }
        guard hiddenSize % numAttentionHeads == 0 else {
            throw TripletError.invalidParameter(
                name: "hidden_size", value: "\(hiddenSize)", expected: "a multiple of num_attention_heads")
        }
        guard hiddenAct == "gelu" else {
            throw TripletError.invalidParameter(name: "hidden_act", value: hiddenAct, expected: "gelu")
        }
        guard parameterCount <= Self.parameterLimit else {
            throw TripletError.invalidParameter(
                name: "sizes", value: "\(Int(parameterCount)) parameters",
                expected: "at most 2^30 parameters (the sizes of config.json are too large)")
        }
        for (name, p) in [("hidden_dropout_prob", hiddenDropout), ("attention_probs_dropout_prob", attentionDropout)]
        where !(p >= 0 && p < 1) {
            throw TripletError.invalidParameter(name: name, value: "\(p)", expected: "a probability in [0, 1)")
        }
        guard layerNormEps > 0, layerNormEps.isFinite else {
            throw TripletError.invalidParameter(name: "layer_norm_eps", value: "\(layerNormEps)", expected: "> 0")
        }
    }
}
