import Foundation

/// Large Float buffers kept between calls, so that a loss evaluated batch after batch reuses memory the
/// process has already touched instead of mapping (and page-faulting) a fresh B×B matrix every time.
/// Thread-safe; holds at most `capacity` idle buffers.
public final class ScratchPool: @unchecked Sendable {
    private var idle: [[Float]] = []
    private let lock = NSLock()
    private let capacity: Int

    /// A pool that keeps up to `capacity` idle buffers.
    public init(capacity: Int = 4) { self.capacity = capacity }

    /// A buffer of exactly `count` elements: a recycled one when available, zero-filled when `zeroed`
    /// (otherwise its contents are arbitrary and the caller overwrites every element).
    public func take(_ count: Int, zeroed: Bool) -> [Float] {
        lock.lock()
        let recycled = idle.firstIndex { $0.count == count }.map { idle.remove(at: $0) }
        lock.unlock()
        guard var buffer = recycled else { return [Float](repeating: 0, count: count) }
        if zeroed { buffer.withUnsafeMutableBufferPointer { $0.update(repeating: 0) } }
        return buffer
    }

    /// Returns a buffer for later reuse (dropped when the pool is full).
    public func recycle(_ buffer: [Float]) {
        lock.lock()
        defer { lock.unlock() }
        if idle.count < capacity { idle.append(buffer) } else { idle[0] = buffer }
    }
}
