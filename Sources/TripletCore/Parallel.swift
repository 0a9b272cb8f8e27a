import Foundation

/// Row-parallel loops over `DispatchQueue.concurrentPerform`.
public enum Parallel {
    /// Calls `body` on contiguous chunks of `0..<count`, on up to `threads` threads at once.
    /// Each index is visited exactly once; chunks never overlap, so per-row writes need no locks.
    /// `chunksPerThread` chunks per thread balance work of uneven cost.
    public static func forEachChunk(
        _ count: Int, threads: Int, chunksPerThread: Int = 8, _ body: (Range<Int>) -> Void
    ) {
        guard count > 0 else { return }
        let workers = max(1, min(threads, count))
        if workers == 1 {
            body(0..<count)
            return
        }
        let chunks = min(count, workers * max(1, chunksPerThread))
        withoutActuallyEscaping(body) { body in
            let shared = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                shared.value((c * count / chunks)..<((c + 1) * count / chunks))
            }
        }
    }

    /// The default thread count: the number of active processors.
    public static var defaultThreads: Int { ProcessInfo.processInfo.activeProcessorCount }
}

/// Hands a value to concurrent workers that only touch disjoint parts of what it captures.
private struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
