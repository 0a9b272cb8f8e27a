/// An order-preserving map from Float to UInt32, so (value, index) pairs sort as plain integers.
package enum SortKey {
    /// The key of a Float: keys compare as the Floats do.
    @inlinable @inline(__always)
    package static func encode(_ x: Float) -> UInt32 {
        let bits = x.bitPattern
        return bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000
    }

    /// The Float a key came from.
    @inlinable @inline(__always)
    package static func decode(_ key: UInt32) -> Float {
        Float(bitPattern: key & 0x8000_0000 != 0 ? key & 0x7FFF_FFFF : ~key)
    }
}
