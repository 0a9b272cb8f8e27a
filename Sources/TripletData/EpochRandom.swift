import TripletCore

/// Random choices that depend only on the generator's state, never on the standard library's algorithms,
/// so that a seed gives the same epochs with every Swift version.
extension SeededGenerator {
    /// The generator for one epoch of a run seeded with `seed`: a function of (seed, epoch) only.
    static func forEpoch(_ epoch: Int, seed: UInt64) -> SeededGenerator {
        var base = SeededGenerator(seed: seed)
        return SeededGenerator(seed: base.next() ^ (UInt64(bitPattern: Int64(epoch)) &* 0x9E37_79B9_7F4A_7C15))
    }

    /// A uniform integer in `0..<bound` (Lemire's multiply-shift with rejection); `bound` > 0.
    mutating func below(_ bound: Int) -> Int {
        let range = UInt64(bound)
        var product = next().multipliedFullWidth(by: range)
        if product.low < range {
            let threshold = (0 &- range) % range
            while product.low < threshold { product = next().multipliedFullWidth(by: range) }
        }
        return Int(product.high)
    }

    /// Shuffles `values` in place (Fisher–Yates).
    public mutating func shuffle(_ values: inout [Int]) {
        guard values.count > 1 else { return }
        for i in stride(from: values.count - 1, to: 0, by: -1) {
            values.swapAt(i, below(i + 1))
        }
    }
}
