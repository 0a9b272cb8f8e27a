import Foundation

@testable import TripletData

/// Test images made with stb_image_write through `ImageEncoder`, and by hand for netpbm.
enum ImageFixtures {
    /// `width` × `height` × `channels` interleaved samples with values all over 0...255.
    static func pattern(width: Int, height: Int, channels: Int, seed: Int = 0) -> [UInt8] {
        (0..<width * height * channels).map { UInt8(truncatingIfNeeded: ($0 + seed) &* 97 &+ ($0 % 3 == 0 ? 200 : 13)) }
    }

    /// Interleaved samples (HWC) as channel planes (CHW) divided by `maxval`.
    static func planar(_ samples: [UInt8], channels: Int, maxval: Float = 255) -> [Float] {
        let pixels = samples.count / channels
        return (0..<channels).flatMap { c in (0..<pixels).map { Float(samples[$0 * channels + c]) / maxval } }
    }

    /// A binary PGM (P5) or PPM (P6): `header` is the text after the magic number.
    static func pnm(_ magic: String = "P5", _ header: String, _ samples: [UInt8]) -> [UInt8] {
        Array("\(magic)\(header)".utf8) + samples
    }

    /// A binary PGM of the given grey levels.
    static func pgm(width: Int, height: Int, _ samples: [UInt8]) -> [UInt8] {
        pnm("P5", "\n\(width) \(height)\n255\n", samples)
    }

    /// A 2×1 GIF's header and global palette of two colours, (10, 20, 30) and (200, 100, 50).
    static let gifHeader = Array("GIF89a".utf8) + [2, 0, 1, 0, 0x80, 0, 0] + [10, 20, 30, 200, 100, 50]
    /// Its first frame: LZW with minimum code size 2, codes clear, 0, 1, end.
    static let gifFrame: [UInt8] = [0x2C, 0, 0, 0, 0, 2, 0, 1, 0, 0, 2, 2, 0x44, 0x0A, 0]
    /// The GIF: header, first frame, a second frame of colours 1, 1 (clear, 1, 1, end), trailer.
    static let gif = gifHeader + gifFrame + [0x2C, 0, 0, 0, 0, 2, 0, 1, 0, 0, 2, 2, 0x4C, 0x0A, 0, 0x3B]
}
