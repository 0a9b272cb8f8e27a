import TripletCore

/// The real tokens of a padded batch, one sequence after another, no padding between them: sequence s
/// holds rows `offsets[s] ..< offsets[s + 1]` of every [tokens, H] matrix of the encoder. Every layer but
/// attention works token by token, and attention within each sequence, so a packed pass computes exactly
/// what the masked padded pass computes at the real tokens, while short sentences pay for no padding.
struct PackedTokens: Equatable {
    /// Token ids and position ids (the token's column in the padded batch), one per real token.
    let ids: [Int], positions: [Int]
    /// Row offsets of the sequences, `sequences + 1` of them, starting at 0.
    let offsets: [Int]

    /// The tokens under `batch.mask` (already checked: rows of equal length, 0/1 masks starting with 1).
    init(_ batch: TokenBatch) {
        var (ids, positions, offsets) = ([Int](), [Int](), [0])
        for (row, mask) in zip(batch.ids, batch.mask) {
            for (position, keep) in mask.enumerated() where keep == 1 {
                ids.append(row[position])
                positions.append(position)
            }
            offsets.append(ids.count)
        }
        (self.ids, self.positions, self.offsets) = (ids, positions, offsets)
    }

    /// The number of sequences.
    var sequences: Int { offsets.count - 1 }
    /// The number of tokens of all sequences.
    var count: Int { ids.count }
    /// The rows of sequence `s`.
    func rows(_ s: Int) -> Range<Int> { offsets[s]..<offsets[s + 1] }
}
