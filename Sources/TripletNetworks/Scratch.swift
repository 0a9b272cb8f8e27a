/// A buffer a layer keeps between calls (im2col columns, per-thread gradient accumulators), so that
/// batch after batch reuses memory already touched. Grows on demand; never shrinks.
final class Scratch<Element: Numeric> {
    private var storage: UnsafeMutablePointer<Element>
    private var capacity: Int

    init() {
        storage = .allocate(capacity: 1)
        storage.initialize(to: 0)
        capacity = 1
    }

    deinit { storage.deallocate() }

    /// The buffer as last reserved.
    var current: UnsafeMutablePointer<Element> { storage }

    /// A pointer to at least `count` elements (contents arbitrary), zeroed first when `zeroed`.
    func reserve(_ count: Int, zeroed: Bool = false) -> UnsafeMutablePointer<Element> {
        if count > capacity {
            storage.deallocate()
            storage = .allocate(capacity: count)
            storage.initialize(repeating: 0, count: count)
            capacity = count
        }
        if zeroed { storage.update(repeating: 0, count: count) }
        return storage
    }
}
