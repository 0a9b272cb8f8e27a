import ArgumentParser
import CZlib
import Foundation

/// PNG images: 8-bit greyscale (colour type 0), non-interlaced only.
enum PNG {
    /// The grey pixels of the PNG file at `path`, which must be `width` × `height`, 8-bit greyscale and
    /// non-interlaced; row after row, 0...255.
    static func read(_ path: String, width: Int, height: Int) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("--image \(path): cannot read the file")
        }
        let bytes = [UInt8](data)
        guard isPNG(bytes) else { throw ValidationError("--image \(path): not a PNG file") }
        func fail(_ why: String) -> ValidationError { ValidationError("--image \(path): \(why)") }
        func be32(_ at: Int) -> Int { bytes[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
        var position = 8, header: [UInt8] = [], compressed: [UInt8] = []
        while position + 8 <= bytes.count {
            let length = be32(position)
            let type = String(decoding: bytes[(position + 4)..<(position + 8)], as: UTF8.self)
            guard length >= 0, position + 12 + length <= bytes.count else { throw fail("truncated \(type) chunk") }
            let body = bytes[(position + 8)..<(position + 8 + length)]
            if type == "IHDR" { header = Array(body) }
            if type == "IDAT" { compressed += body }
            position += 12 + length
            if type == "IEND" { break }
        }
        guard header.count == 13 else { throw fail("no IHDR chunk") }
        let w = header[0..<4].reduce(0) { $0 << 8 | Int($1) }, h = header[4..<8].reduce(0) { $0 << 8 | Int($1) }
        guard header[8] == 8, header[9] == 0 else {
            throw fail("bit depth \(header[8]), colour type \(header[9]); only 8-bit greyscale PNG is supported")
        }
        guard header[12] == 0 else { throw fail("interlaced PNG is not supported") }
        guard w == width, h == height else {
            throw fail("\(w)×\(h) pixels; the model takes \(width)×\(height), resize it first")
        }
        let stride = w + 1
        var raw = [UInt8](repeating: 0, count: h * stride)
        var produced = UInt(raw.count)
        let status = raw.withUnsafeMutableBufferPointer { out in
            compressed.withUnsafeBufferPointer { input in
                uncompress(out.baseAddress, &produced, input.baseAddress, UInt(input.count))
            }
        }
        guard status == Z_OK, produced == UInt(raw.count) else { throw fail("corrupt image data (zlib \(status))") }
        return try unfilter(raw, width: w, height: h, fail: fail)
    }

    /// Whether `bytes` start with the PNG signature.
    static func isPNG(_ bytes: [UInt8]) -> Bool {
        bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    }

    /// Undoes the per-row filters (one byte per pixel).
    static func unfilter(
        _ raw: [UInt8], width w: Int, height h: Int, fail: (String) -> ValidationError
    ) throws -> [UInt8] {
        var pixels = [UInt8](repeating: 0, count: w * h)
        for y in 0..<h {
            let filter = raw[y * (w + 1)]
            for x in 0..<w {
                let value = Int(raw[y * (w + 1) + 1 + x])
                let a = x > 0 ? Int(pixels[y * w + x - 1]) : 0
                let b = y > 0 ? Int(pixels[(y - 1) * w + x]) : 0
                let c = x > 0 && y > 0 ? Int(pixels[(y - 1) * w + x - 1]) : 0
                let predictor: Int
                switch filter {
                case 0: predictor = 0
                case 1: predictor = a
                case 2: predictor = b
                case 3: predictor = (a + b) / 2
                case 4:
                    let p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
                    predictor = pa <= pb && pa <= pc ? a : (pb <= pc ? b : c)
                default: throw fail("unknown PNG row filter \(filter)")
                }
                pixels[y * w + x] = UInt8(truncatingIfNeeded: value + predictor)
            }
        }
        return pixels
    }
}
