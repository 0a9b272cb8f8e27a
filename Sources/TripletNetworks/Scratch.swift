/// A Float buffer a layer keeps between calls (im2col columns, per-thread gradient accumulators), so that
/// batch after batch reuses memory already touched. Grows on demand; never shrinks.
final class Scratch {
    private var storage: UnsafeMutablePointer<Float>
    private var capacity: Int

    init() {
        storage = .allocate(capacity: 1)
        capacity = 1
    }

    deinit { storage.deallocate() }

    /// A pointer to at least `count` elements (contents arbitrary), zeroed first when `zeroed`.
    func reserve(_ count: Int, zeroed: Bool = false) -> UnsafeMutablePointer<Float> {
        if count > capacity {
            storage.deallocate()
            storage = .allocate(capacity: count)
            capacity = count
        }
        if zeroed { storage.update(repeating: 0, count: count) }
        return storage
    }
}
