import Foundation
import TripletCore

/// Grey images read from files: 8-bit greyscale PNG (non-interlaced) or binary PGM (P5, maxval ≤ 255),
/// told apart by their first bytes.
///
/// ```swift
/// let x = try GreyImage.read(contentsOf: URL(fileURLWithPath: "shoe.png"), width: 28, height: 28)
/// // 784 intensities in 0...1, row after row from the top-left; 0 is black, 1 white
/// ```
public enum GreyImage {
    /// The most pixels an image may have (2³⁰), so that no size can make the decoders overflow.
    public static let maximumPixelCount = 1 << 30

    /// The intensities of the image file at `url`, which must be `width` × `height` pixels: row after row from
    /// the top-left, each grey level divided by the format's maximum (255 for PNG, maxval for PGM), so in 0...1.
    /// - Throws: `TripletError.corruptFile` when the file is missing, unreadable, truncated, damaged or in a
    ///   format other than these two; `TripletError.invalidParameter` when its size differs from
    ///   `width` × `height` (resize it first) or the size asked for is not positive.
    public static func read(contentsOf url: URL, width: Int, height: Int) throws -> [Float] {
        try decode(FileIO.readBytes(url), source: url.path, width: width, height: height)
    }

    /// The intensities of an image file's `bytes`, as `read(contentsOf:width:height:)` describes; `source`
    /// names the file in errors.
    public static func decode(_ bytes: [UInt8], source: String, width: Int, height: Int) throws -> [Float] {
        let (count, overflow) = width.multipliedReportingOverflow(by: height)
        guard width >= 1, height >= 1, !overflow, count <= maximumPixelCount else {
            throw TripletError.invalidParameter(
                name: "image size", value: "\(width)×\(height)",
                expected: "a positive width and height of at most \(maximumPixelCount) pixels in all")
        }
        if PNGDecoder.hasSignature(bytes) {
            let grey = try PNGDecoder.decode(bytes, source: source, width: width, height: height)
            return grey.map { Float($0) / 255 }
        }
        if PGMDecoder.hasSignature(bytes) {
            let (grey, maxval) = try PGMDecoder.decode(bytes, source: source, width: width, height: height)
            let top = Float(maxval)
            return grey.map { Float($0) / top }
        }
        let reason =
            bytes.starts(with: Array("P2".utf8))
            ? "a plain (ASCII) PGM, P2: save it as a binary PGM (P5) or a PNG"
            : "neither a PNG nor a binary PGM (P5) file: convert it to 8-bit greyscale PNG or PGM"
        throw TripletError.corruptFile(path: source, reason: reason)
    }

    /// Throws `TripletError.invalidParameter` unless the file's `found` size is the `width` × `height` asked for.
    static func checkSize(
        _ found: (width: Int, height: Int), source: String, width: Int, height: Int
    ) throws {
        guard found.width == width, found.height == height else {
            throw TripletError.invalidParameter(
                name: "image size", value: "\(found.width)×\(found.height) of \(source)",
                expected: "\(width)×\(height) pixels: resize it first")
        }
    }
}
