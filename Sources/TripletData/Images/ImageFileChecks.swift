/// Checks that stb_image leaves out: it reads a truncated binary PGM/PPM, BMP or GIF without complaint (the
/// missing pixels come out as zeros or uninitialised memory) and returns PGM/PPM levels unscaled.
enum ImageFileChecks {
    /// What a binary netpbm header (P5 grey or P6 colour) says.
    struct PNMHeader: Equatable {
        var width: Int
        var height: Int
        var channels: Int
        /// The largest level, 1...255: levels are divided by it.
        var maxval: Int
        /// Where the pixel bytes start.
        var dataOffset: Int
    }

    /// Whether `bytes` start like a binary PGM (P5) or PPM (P6).
    static func isPNM(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == UInt8(ascii: "P")
            && (bytes[1] == UInt8(ascii: "5") || bytes[1] == UInt8(ascii: "6"))
    }

    /// Whether `bytes` start like a Windows bitmap.
    static func isBMP(_ bytes: [UInt8]) -> Bool { bytes.starts(with: [0x42, 0x4D]) }

    /// The header of a binary PGM/PPM: magic, width, height and maxval separated by whitespace (with `#`
    /// comments), then one whitespace byte before the pixels, at least `width × height × channels` of them.
    /// Throws the reason (for `TripletError.corruptFile`) when the header is damaged, maxval is above 255 or
    /// the pixel data is truncated.
    static func pnmHeader(_ bytes: [UInt8]) throws(Failure) -> PNMHeader {
        guard isPNM(bytes) else { throw Failure("not a binary PGM or PPM (no P5 or P6 magic number)") }
        let channels = bytes[1] == UInt8(ascii: "6") ? 3 : 1
        let kind = channels == 3 ? "PPM" : "PGM"
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
        guard position < bytes.count, isSpace(bytes[position]), let width = number(), let height = number(),
            let maxval = number(), width >= 1, height >= 1, maxval >= 1, position < bytes.count,
            isSpace(bytes[position])
        else {
            throw Failure(
                "damaged \(kind) header: expected P\(channels == 3 ? 6 : 5), width, height and maxval, separated by "
                    + "whitespace, then one whitespace byte before the pixels")
        }
        guard maxval <= 255 else {
            throw Failure(
                "\(kind) maxval \(maxval) > 255 (16-bit samples) is not supported: save it with 8 bits per sample")
        }
        let needed = width * height * channels  // at most 10⁹ × 10⁹ × 3: no overflow in Int64
        let available = bytes.count - position - 1
        guard available >= needed else {
            throw Failure("truncated pixel data: \(max(0, available)) of the \(needed) pixel bytes")
        }
        return PNMHeader(width: width, height: height, channels: channels, maxval: maxval, dataOffset: position + 1)
    }

    /// Throws when the uncompressed pixel array that a BMP's header announces runs past the end of `bytes`.
    /// Compressed (RLE) bitmaps and headers this cannot read are left to stb_image.
    static func checkBMPLength(_ bytes: [UInt8]) throws(Failure) {
        func u32(_ at: Int) -> Int {
            Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(bytes[at + 3]) << 24
        }
        func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        guard bytes.count >= 26 else { throw Failure("truncated header: \(bytes.count) bytes") }
        let dataOffset = u32(10), headerSize = u32(14)
        let width: Int, height: Int, bitsPerPixel: Int, compression: Int
        if headerSize == 12 {
            guard bytes.count >= 26 else { return }
            (width, height, bitsPerPixel, compression) = (u16(18), u16(20), u16(24), 0)
        } else if headerSize >= 40, bytes.count >= 34 {
            width = Int(Int32(truncatingIfNeeded: UInt32(u32(18))))
            height = Int(Int32(truncatingIfNeeded: UInt32(u32(22))))
            (bitsPerPixel, compression) = (u16(28), u32(30))
        } else {
            return
        }
        guard compression == 0 || compression == 3 || compression == 6, width > 0, height != 0,
            (1...32).contains(bitsPerPixel)
        else { return }
        let rowBytes = (width * bitsPerPixel + 31) / 32 * 4  // < 2³¹ · 32: no overflow
        // rowBytes · |height| reaches 2⁶⁵ (the image fuzz target's finding, an overflow trap): checked.
        let (pixelBytes, overflow) = rowBytes.multipliedReportingOverflow(by: abs(height))
        guard !overflow, pixelBytes <= bytes.count - dataOffset else {
            throw Failure(
                "truncated pixel data: the file has \(bytes.count) bytes, its header announces \(rowBytes) × "
                    + "\(abs(height)) bytes of pixels from offset \(dataOffset)")
        }
    }

    /// Whether `bytes` start like a GIF.
    static func isGIF(_ bytes: [UInt8]) -> Bool { bytes.starts(with: Array("GIF8".utf8)) }

    /// Throws unless the GIF in `bytes` holds its first frame whole: the blocks before it, its descriptor,
    /// colour table and every sub-block of its compressed pixels up to their terminator.
    static func checkGIFLength(_ bytes: [UInt8]) throws(Failure) {
        let truncated = Failure("truncated GIF: the file ends before the end of its first frame")
        func colourTableSize(_ flags: UInt8) -> Int { flags & 0x80 != 0 ? 3 << (Int(flags & 7) + 1) : 0 }
        /// The position after the sub-blocks that start at `at`.
        func skipSubBlocks(_ at: Int) throws(Failure) -> Int {
            var position = at
            while true {
                guard position < bytes.count else { throw truncated }
                let length = Int(bytes[position])
                position += 1 + length
                if length == 0 { return position }
            }
        }
        guard bytes.count >= 13 else { throw truncated }
        var position = 13 + colourTableSize(bytes[10])
        while true {
            guard position < bytes.count else { throw truncated }
            switch bytes[position] {
            case 0x21:  // an extension: label, then sub-blocks
                position = try skipSubBlocks(position + 2)
            case 0x2C:  // the first image: descriptor, local colour table, LZW code size, sub-blocks
                guard position + 10 <= bytes.count else { throw truncated }
                position += 10 + colourTableSize(bytes[position + 9]) + 1
                _ = try skipSubBlocks(position)
                return
            default:
                return  // no image or an unknown block: stb_image says what is wrong
            }
        }
    }

    /// Why a file is refused.
    struct Failure: Error {
        var reason: String
        init(_ reason: String) { self.reason = reason }
    }
}
