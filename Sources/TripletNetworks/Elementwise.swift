import TripletCore

/// Elementwise loops split across threads only when the tensor is large enough to pay for it.
enum Elementwise {
    /// Calls `body` on disjoint ranges covering 0..<count, in parallel for count >= 2¹⁶.
    static func forEach(_ count: Int, threads: Int, _ body: (Range<Int>) -> Void) {
        let workers = count >= 1 << 16 ? threads : 1
        Parallel.forEachChunk(count, threads: workers, chunksPerThread: 1, body)
    }
}
