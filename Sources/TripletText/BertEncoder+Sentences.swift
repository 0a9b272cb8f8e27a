import TripletCore

extension BertEncoder {
    /// One embedding per sentence ([sentences, width]), in the order given: sentences are tokenised, batched
    /// by similar length (as sentence-transformers sorts them) and each batch padded to its longest, so that
    /// little is padding; mean-pooled under the mask and, with `normalize`, L2-normalised.
    public func embed(
        sentences: [String], tokenizer: BertTokenizer, batchSize: Int = 32, normalize: Bool = true
    ) throws -> Tensor {
        guard batchSize >= 1 else {
            throw TripletError.invalidParameter(name: "batchSize", value: "\(batchSize)", expected: "at least 1")
        }
        let encoded = sentences.map(tokenizer.encode)
        let order = encoded.indices.sorted { encoded[$0].count > encoded[$1].count }
        let width = configuration.hiddenSize
        var rows = [Float](repeating: 0, count: sentences.count * width)
        for first in stride(from: 0, to: order.count, by: batchSize) {
            let members = Array(order[first..<min(first + batchSize, order.count)])
            let embedded = try embed(tokenizer.pad(members.map { encoded[$0] }), normalize: normalize)
            for (position, line) in members.enumerated() {
                rows.replaceSubrange(
                    (line * width)..<((line + 1) * width),
                    with: embedded.scalars[(position * width)..<((position + 1) * width)])
            }
        }
        return try Tensor(shape: [sentences.count, width], scalars: rows)
    }
}
