import CStb
import TripletCore

/// Encodes 8-bit images with stb_image_write, in memory.
///
/// ```swift
/// let png = try ImageEncoder.png(width: 28, height: 28, channels: 1, pixels: bytes)  // bytes.count == 784
/// ```
///
/// `pixels` are interleaved, as image files store them: row after row from the top-left, each pixel's
/// `channels` samples together (1 grey, 2 grey and alpha, 3 RGB, 4 RGBA).
public enum ImageEncoder {
    /// The PNG file of the image (zlib compression level 8, stb's default).
    /// - Throws: `TripletError.invalidParameter` for a size that is not positive or over 2³⁰ samples, or
    ///   channels outside 1...4; `TripletError.shapeMismatch` when `pixels.count` is not
    ///   width × height × channels.
    public static func png(width: Int, height: Int, channels: Int, pixels: [UInt8]) throws -> [UInt8] {
        try encode(width: width, height: height, channels: channels, pixels: pixels) { write, context, data in
            stbi_write_png_to_func(
                write, context, Int32(width), Int32(height), Int32(channels), data, Int32(width * channels))
        }
    }

    /// The uncompressed BMP file of the image (alpha is kept only for 4 channels), as `png` checks it.
    public static func bmp(width: Int, height: Int, channels: Int, pixels: [UInt8]) throws -> [UInt8] {
        try encode(width: width, height: height, channels: channels, pixels: pixels) { write, context, data in
            stbi_write_bmp_to_func(write, context, Int32(width), Int32(height), Int32(channels), data)
        }
    }

    /// The baseline JPEG file of the image at `quality` 1...100 (alpha is dropped), as `png` checks it;
    /// JPEG allows at most 65,535 pixels a side.
    public static func jpeg(
        width: Int, height: Int, channels: Int, pixels: [UInt8], quality: Int = 90
    ) throws -> [UInt8] {
        guard (1...100).contains(quality) else {
            throw TripletError.invalidParameter(name: "JPEG quality", value: "\(quality)", expected: "1...100")
        }
        guard width <= 65_535, height <= 65_535 else {
            throw TripletError.invalidParameter(
                name: "image size", value: "\(width)×\(height)", expected: "at most 65535 pixels a side for JPEG")
        }
        return try encode(width: width, height: height, channels: channels, pixels: pixels) { write, context, data in
            stbi_write_jpg_to_func(write, context, Int32(width), Int32(height), Int32(channels), data, Int32(quality))
        }
    }

    /// Checks the arguments, then collects what `body` writes through stb's callback.
    private static func encode(
        width: Int, height: Int, channels: Int, pixels: [UInt8],
        _ body: (
            _ write: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutableRawPointer?, Int32) -> Void,
            _ context: UnsafeMutableRawPointer, _ data: UnsafeRawPointer
        ) -> Int32
    ) throws -> [UInt8] {
        let size = ImageSize(width: width, height: height)
        guard (1...4).contains(channels) else {
            throw TripletError.invalidParameter(name: "channels", value: "\(channels)", expected: "1...4")
        }
        let count = try size.validate() * channels
        guard count <= ImageDecoder.maximumPixelCount else {
            throw TripletError.invalidParameter(
                name: "image size", value: "\(size) × \(channels) channels",
                expected: "at most \(ImageDecoder.maximumPixelCount) samples")
        }
        guard pixels.count == count else {
            throw TripletError.shapeMismatch(expected: "\(count) samples (\(size) × \(channels))", got: [pixels.count])
        }
        var output: [UInt8] = []
        let status = withUnsafeMutablePointer(to: &output) { output in
            pixels.withUnsafeBytes { data in
                body(
                    { context, data, size in
                        guard let context, let data, size > 0 else { return }
                        context.assumingMemoryBound(to: [UInt8].self).pointee.append(
                            contentsOf: UnsafeRawBufferPointer(start: data, count: Int(size)))
                    }, UnsafeMutableRawPointer(output), data.baseAddress!)
            }
        }
        guard status != 0, !output.isEmpty else {
            throw TripletError.invalidParameter(
                name: "image", value: "\(size) × \(channels) channels", expected: "an image stb_image_write can encode")
        }
        return output
    }
}
