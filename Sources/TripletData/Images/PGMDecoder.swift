import TripletCore

/// Binary PGM (netpbm P5) with maxval 1...255: a text header (magic, width, height, maxval, `#` comments
/// between them), one whitespace byte, then one byte per pixel, row after row.
enum PGMDecoder {
    /// Whether `bytes` start with the binary PGM magic number "P5".
    static func hasSignature(_ bytes: [UInt8]) -> Bool { bytes.starts(with: Array("P5".utf8)) }

    /// The grey levels (0...maxval) of the `width` × `height` P5 image in `bytes`, and its maxval.
    /// Bytes after the first image are ignored (netpbm allows several in one file).
    static func decode(
        _ bytes: [UInt8], source: String, width: Int, height: Int
    ) throws -> (grey: [UInt8], maxval: Int) {
        func fail(_ reason: String) -> TripletError { .corruptFile(path: source, reason: reason) }
        guard hasSignature(bytes) else { throw fail("not a binary PGM (no P5 magic number)") }
        var position = 2
        func isSpace(_ byte: UInt8) -> Bool {
            byte == 9 || byte == 10 || byte == 11 || byte == 12 || byte == 13 || byte == 32
        }
        /// The next header number, skipping whitespace and comments; nil when there is none.
        func number() -> Int? {
            while position < bytes.count {
                if bytes[position] == UInt8(ascii: "#") {
                    while position < bytes.count, bytes[position] != 10, bytes[position] != 13 { position += 1 }
                } else if isSpace(bytes[position]) {
                    position += 1
                } else {
                    break
                }
            }
            let start = position
            while position < bytes.count, !isSpace(bytes[position]) { position += 1 }
            let digits = bytes[start..<position]
            guard !digits.isEmpty, digits.count <= 9, digits.allSatisfy({ (48...57).contains($0) }) else { return nil }
            return digits.reduce(0) { $0 * 10 + Int($1 - 48) }
        }
        guard position < bytes.count, isSpace(bytes[position]), let w = number(), let h = number(),
            let maxval = number(), maxval >= 1, position < bytes.count, isSpace(bytes[position])
        else {
            throw fail(
                "damaged PGM header: expected P5, width, height and maxval, separated by whitespace, then one "
                    + "whitespace byte before the pixels")
        }
        guard maxval <= 255 else {
            throw fail("PGM maxval \(maxval) > 255 (16-bit samples) is not supported: save it with 8 bits per pixel")
        }
        try GreyImage.checkSize((w, h), source: source, width: width, height: height)
        position += 1  // the single whitespace byte after maxval
        let count = w * h
        guard bytes.count - position >= count else {
            throw fail("truncated pixel data: \(bytes.count - position) of the \(count) pixel bytes")
        }
        let grey = Array(bytes[position..<(position + count)])
        if let index = grey.firstIndex(where: { Int($0) > maxval }) {
            throw fail("damaged pixel data: pixel \(index) is \(grey[index]), above the maxval \(maxval)")
        }
        return (grey, maxval)
    }
}
