import Foundation
import TripletCore

/// A minimal PNG encoder for 8-bit greyscale images: no compression (zlib "stored" blocks), so it needs
/// no zlib — enough for the report's 28×28 thumbnails, inlined as `data:image/png;base64,` URIs.
///
/// ```swift
/// let png = try PNGEncoder.grey(width: 28, height: 28, pixels: bytes)  // bytes.count == 784
/// ```
public enum PNGEncoder {
    /// The PNG file of a `width`×`height` image, `pixels` row-major from the top-left (0 black, 255 white).
    /// - Throws: `TripletError` for a non-positive size or a pixel count other than width × height.
    public static func grey(width: Int, height: Int, pixels: [UInt8]) throws -> Data {
        guard width >= 1, height >= 1, width <= 1 << 24, height <= 1 << 24 else {
            throw TripletError.invalidParameter(
                name: "image size", value: "\(width)×\(height)", expected: "1...16777216 on each side")
        }
        guard pixels.count == width * height else {
            throw TripletError.shapeMismatch(expected: "\(width * height) pixels", got: [pixels.count])
        }
        var raw: [UInt8] = []
        raw.reserveCapacity((width + 1) * height)
        for row in 0..<height {
            raw.append(0)  // filter type None
            raw += pixels[row * width..<(row + 1) * width]
        }
        var header: [UInt8] = []
        header += bigEndian(UInt32(width)) + bigEndian(UInt32(height))
        header += [8, 0, 0, 0, 0]  // bit depth 8, greyscale, deflate, adaptive filtering, no interlace
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        png += chunk("IHDR", header) + chunk("IDAT", zlibStored(raw)) + chunk("IEND", [])
        return Data(png)
    }

    /// `data` in a zlib stream of stored (uncompressed) deflate blocks of at most 65,535 bytes.
    static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var start = 0
        repeat {
            let length = min(65_535, data.count - start)
            let final: UInt8 = start + length == data.count ? 1 : 0
            out.append(final)
            out += [UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8((~length >> 8) & 0xFF)]
            out += data[start..<start + length]
            start += length
        } while start < data.count
        return out + bigEndian(Checksums.adler32(data))
    }

    /// A PNG chunk: length, type, data, CRC-32 of type and data.
    private static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        return bigEndian(UInt32(data.count)) + body + bigEndian(Checksums.crc32(body))
    }

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }
}
