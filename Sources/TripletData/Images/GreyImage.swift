import Foundation
import TripletCore

/// Grey images of a known size read from files, as `ImageDecoder` reads them (PNG, JPEG, BMP, GIF, binary
/// PGM/PPM); colour files are converted to grey.
///
/// ```swift
/// let x = try GreyImage.read(contentsOf: URL(fileURLWithPath: "shoe.png"), width: 28, height: 28)
/// // 784 intensities in 0...1, row after row from the top-left; 0 is black, 1 white
/// ```
public enum GreyImage {
    /// The most pixels an image may have (2³⁰), as `ImageDecoder.maximumPixelCount`.
    public static let maximumPixelCount = ImageDecoder.maximumPixelCount

    /// The intensities of the image file at `url`, which must be `width` × `height` pixels: row after row from
    /// the top-left, each grey level divided by the format's maximum (255, or maxval for PGM), so in 0...1.
    /// - Throws: `TripletError.corruptFile` when the file is missing, unreadable, truncated, damaged or in a
    ///   format stb_image cannot read; `TripletError.invalidParameter` when its size differs from
    ///   `width` × `height` (resize it first) or the size asked for is not positive.
    public static func read(contentsOf url: URL, width: Int, height: Int) throws -> [Float] {
        try decode(FileIO.readBytes(url), source: url.path, width: width, height: height)
    }

    /// The intensities of an image file's `bytes`, as `read(contentsOf:width:height:)` describes; `source`
    /// names the file in errors.
    public static func decode(_ bytes: [UInt8], source: String, width: Int, height: Int) throws -> [Float] {
        let size = ImageSize(width: width, height: height)
        let count = try size.validate()
        let found = try ImageDecoder.info(bytes, source: source)
        guard found.size == size else {
            throw TripletError.invalidParameter(
                name: "image size", value: "\(found.size) of \(source)", expected: "\(size) pixels: resize it first")
        }
        var pixels = [Float](repeating: 0, count: count)
        try pixels.withUnsafeMutableBufferPointer {
            try ImageDecoder.decode(bytes, source: source, channels: 1, size: size, resize: false, into: $0)
        }
        return pixels
    }
}
