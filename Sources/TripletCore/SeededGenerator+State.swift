extension SeededGenerator {
    /// A generator that continues from a saved `state` (for example a checkpointed dropout layer):
    /// `SeededGenerator(state: g.state)` draws the same sequence as `g` from here on.
    ///
    /// `state` is `private(set)` in `SeededGenerator`'s own file; this initialiser writes the four words
    /// through the struct's storage (its only stored property) and checks that they read back.
    public init(state: (UInt64, UInt64, UInt64, UInt64)) {
        self.init(seed: 0)
        withUnsafeMutableBytes(of: &self) { raw in
            precondition(raw.count == MemoryLayout<(UInt64, UInt64, UInt64, UInt64)>.size, "layout changed")
            raw.storeBytes(of: state, as: (UInt64, UInt64, UInt64, UInt64).self)
        }
        precondition(self.state == state, "SeededGenerator's layout changed: update init(state:)")
    }
}
