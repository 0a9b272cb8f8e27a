/// A stable least-significant-digit radix sort of 64-bit keys on their upper 32 bits, for the per-anchor
/// (value, index) keys of the streaming kernels: sorting a row costs a few linear passes instead of
/// N log N comparisons. Stability keeps equal values in increasing index order.
enum RadixSort {
    /// Sorts `keys[0..<count]` in place; `scratch` must hold at least `count` elements.
    static func sortUpperHalf(
        _ keys: UnsafeMutablePointer<UInt64>, _ scratch: UnsafeMutablePointer<UInt64>, _ count: Int
    ) {
        guard count > 1 else { return }
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 256) { histogram in
            var source = keys, target = scratch
            for shift in stride(from: UInt64(32), to: 64, by: 8) {
                histogram.initialize(repeating: 0)
                for i in 0..<count { histogram[Int((source[i] >> shift) & 0xFF)] += 1 }
                // A digit shared by every key orders nothing: skip the pass.
                if histogram[Int((source[0] >> shift) & 0xFF)] == count { continue }
                var offset = 0
                for b in 0..<256 {
                    let c = histogram[b]
                    histogram[b] = offset
                    offset += c
                }
                for i in 0..<count {
                    let key = source[i]
                    let b = Int((key >> shift) & 0xFF)
                    target[histogram[b]] = key
                    histogram[b] += 1
                }
                swap(&source, &target)
            }
            if source != keys { keys.update(from: source, count: count) }
        }
    }
}
