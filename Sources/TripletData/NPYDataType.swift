/// The element types NPY files may hold that TripletKit reads: a kind, a size, and a byte order,
/// spelled by NumPy's `descr` strings ('<f4', '>i8', '|u1', '|b1', …).
struct NPYDataType: Equatable {
    /// 'f' float, 'i' signed integer, 'u' unsigned integer, 'b' boolean.
    let kind: Character
    /// Bytes per element.
    let size: Int
    /// Whether multi-byte elements are big-endian.
    let bigEndian: Bool

    /// Parses a descr string; nil for anything unsupported (complex, strings, structured, float16, …).
    init?(descr: String) {
        let characters = Array(descr)
        guard characters.count >= 3, let size = Int(String(characters[2...])) else { return nil }
        switch characters[0] {
        case "<", "|", "=": bigEndian = false
        case ">": bigEndian = true
        default: return nil
        }
        switch (characters[1], size) {
        case ("f", 4), ("f", 8), ("i", 1), ("i", 2), ("i", 4), ("i", 8), ("u", 1), ("u", 2), ("u", 4), ("u", 8),
            ("b", 1):
            kind = characters[1]
        default: return nil
        }
        self.size = size
    }

    /// The descr strings this reader supports, for messages.
    static let supported = "'<f4', '<f8', '<i1'…'<i8', '<u1'…'<u8', '|b1' (either byte order)"
}
