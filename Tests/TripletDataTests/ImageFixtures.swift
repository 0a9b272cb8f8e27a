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
}
