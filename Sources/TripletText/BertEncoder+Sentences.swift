import TripletCore

extension BertEncoder {
    /// One embedding per sentence ([sentences, width]), in the order given: sentences are tokenised and
    /// embedded `batchSize` at a time (packed, so that no batch pays for padding), mean-pooled and, with
    /// `normalize`, L2-normalised.
    public func embed(
        sentences: [String], tokenizer: BertTokenizer, batchSize: Int = 32, normalize: Bool = true
    ) throws -> Tensor {
        guard batchSize >= 1 else {
            throw TripletError.invalidParameter(name: "batchSize", value: "\(batchSize)", expected: "at least 1")
        }
        var rows: [Float] = []
        rows.reserveCapacity(sentences.count * configuration.hiddenSize)
        for first in stride(from: 0, to: sentences.count, by: batchSize) {
            let batch = sentences[first..<min(first + batchSize, sentences.count)].map(tokenizer.encode)
            rows += try embed(tokenizer.pad(batch), normalize: normalize).scalars
        }
        return try Tensor(shape: [sentences.count, configuration.hiddenSize], scalars: rows)
    }
}
