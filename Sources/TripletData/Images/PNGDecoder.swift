import CZlib
import TripletCore

/// PNG images, 8-bit greyscale (colour type 0) and non-interlaced only: chunks are read without checking
/// their CRCs, the IDAT data inflated with zlib and each row unfiltered.
enum PNGDecoder {
    /// The eight bytes every PNG file starts with.
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Whether `bytes` start with the PNG signature.
    static func hasSignature(_ bytes: [UInt8]) -> Bool { bytes.starts(with: signature) }

    /// The grey levels (0...255) of the `width` × `height` PNG in `bytes`, row after row. The caller has
    /// checked that `width` × `height` is positive and at most `GreyImage.maximumPixelCount`.
    static func decode(_ bytes: [UInt8], source: String, width: Int, height: Int) throws -> [UInt8] {
        func fail(_ reason: String) -> TripletError { .corruptFile(path: source, reason: reason) }
        guard hasSignature(bytes) else { throw fail("not a PNG file (no PNG signature)") }
        func uint32(_ at: Int) -> Int { bytes[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
        var position = signature.count
        var sawHeader = false, sawEnd = false
        var compressed: [UInt8] = []
        while position < bytes.count {
            guard bytes.count - position >= 12 else {
                throw fail("truncated chunk: \(bytes.count - position) bytes where a chunk needs at least 12")
            }
            let length = uint32(position)
            let type = String(decoding: bytes[(position + 4)..<(position + 8)], as: UTF8.self)
            guard length <= bytes.count - position - 12 else {
                throw fail(
                    "truncated \(type) chunk: it announces \(length) bytes, the file has \(bytes.count - position - 12)"
                )
            }
            let body = bytes[(position + 8)..<(position + 8 + length)]
            position += 12 + length
            if !sawHeader {
                guard type == "IHDR" else { throw fail("no IHDR chunk: the first chunk is \(type)") }
                try checkHeader(Array(body), source: source, width: width, height: height)
                sawHeader = true
            } else if type == "IDAT" {
                compressed += body
            } else if type == "IEND" {
                sawEnd = true
                break
            }
        }
        guard sawHeader else { throw fail("no IHDR chunk: the file ends after the signature") }
        guard sawEnd else { throw fail("truncated file: no IEND chunk after the image data") }
        guard !compressed.isEmpty else { throw fail("no pixel data: the IDAT chunks are missing or empty") }
        let raw = try inflate(compressed, count: height * (width + 1), source: source)
        return try unfilter(raw, width: width, height: height, source: source)
    }

    /// Checks the 13-byte IHDR: size `width` × `height`, bit depth 8, colour type 0, methods 0, no interlace.
    static func checkHeader(_ header: [UInt8], source: String, width: Int, height: Int) throws {
        func fail(_ reason: String) -> TripletError { .corruptFile(path: source, reason: reason) }
        guard header.count == 13 else { throw fail("damaged IHDR chunk: \(header.count) bytes, not 13") }
        let w = header[0..<4].reduce(0) { $0 << 8 | Int($1) }, h = header[4..<8].reduce(0) { $0 << 8 | Int($1) }
        guard header[8] == 8, header[9] == 0 else {
            throw fail(
                "bit depth \(header[8]), colour type \(header[9]): only 8-bit greyscale PNG (bit depth 8, colour "
                    + "type 0) is supported, convert it first")
        }
        guard header[10] == 0, header[11] == 0 else {
            throw fail("damaged IHDR chunk: compression method \(header[10]), filter method \(header[11]), not 0")
        }
        guard header[12] == 0 else {
            throw fail(
                header[12] == 1
                    ? "interlaced PNG (Adam7) is not supported: save it non-interlaced"
                    : "damaged IHDR chunk: interlace method \(header[12])")
        }
        try GreyImage.checkSize((w, h), source: source, width: width, height: height)
    }

    /// The `count` bytes of the zlib stream `compressed`; `count` is below 2³² (the caller's size limit).
    static func inflate(_ compressed: [UInt8], count: Int, source: String) throws -> [UInt8] {
        func fail(_ reason: String) -> TripletError { .corruptFile(path: source, reason: reason) }
        guard compressed.count <= Int(UInt32.max) else { throw fail("corrupt zlib data: over 4 GiB of IDAT data") }
        var stream = z_stream()
        guard inflateInit_(&stream, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw fail("zlib could not start a decoder")
        }
        defer { inflateEnd(&stream) }
        var raw = [UInt8](repeating: 0, count: count)
        let status = compressed.withUnsafeBufferPointer { input in
            raw.withUnsafeMutableBufferPointer { output in
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.avail_in = UInt32(input.count)
                stream.next_out = output.baseAddress
                stream.avail_out = UInt32(output.count)
                return CZlib.inflate(&stream, Z_FINISH)
            }
        }
        let produced = count - Int(stream.avail_out)
        switch status {
        case Z_STREAM_END where produced == count:
            return raw
        case Z_STREAM_END,
            Z_BUF_ERROR where stream.avail_out > 0:
            throw fail(
                "truncated pixel data: the zlib stream holds \(produced) of the \(count) bytes (a filter byte and "
                    + "the pixels of each row)")
        case Z_BUF_ERROR:
            throw fail(
                "corrupt or truncated zlib data: the stream does not end after the \(count) bytes the image holds")
        default:
            let message = stream.msg.map { String(cString: $0) } ?? "zlib status \(status)"
            throw fail("corrupt zlib data (\(message))")
        }
    }

    /// Undoes each row's filter (0 none, 1 sub, 2 up, 3 average, 4 Paeth; one byte per pixel).
    static func unfilter(_ raw: [UInt8], width w: Int, height h: Int, source: String) throws -> [UInt8] {
        var pixels = [UInt8](repeating: 0, count: w * h)
        for y in 0..<h {
            let filter = raw[y * (w + 1)]
            guard filter <= 4 else {
                throw TripletError.corruptFile(
                    path: source, reason: "unknown row filter \(filter) in row \(y) (PNG filters are 0...4)")
            }
            for x in 0..<w {
                let value = Int(raw[y * (w + 1) + 1 + x])
                let a = x > 0 ? Int(pixels[y * w + x - 1]) : 0
                let b = y > 0 ? Int(pixels[(y - 1) * w + x]) : 0
                let c = x > 0 && y > 0 ? Int(pixels[(y - 1) * w + x - 1]) : 0
                let predictor: Int
                switch filter {
                case 1: predictor = a
                case 2: predictor = b
                case 3: predictor = (a + b) / 2
                case 4:
                    let p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
                    predictor = pa <= pb && pa <= pc ? a : (pb <= pc ? b : c)
                default: predictor = 0
                }
                pixels[y * w + x] = UInt8(truncatingIfNeeded: value + predictor)
            }
        }
        return pixels
    }
}
