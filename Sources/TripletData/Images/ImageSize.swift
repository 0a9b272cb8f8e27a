import TripletCore

/// The width and height of an image in pixels.
public struct ImageSize: Sendable, Codable, Hashable, CustomStringConvertible {
    /// Pixels per row.
    public var width: Int
    /// Rows.
    public var height: Int

    /// A size of `width` × `height` pixels; `validate(_:)` checks it.
    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    /// "width×height".
    public var description: String { "\(width)×\(height)" }

    /// The number of pixels, or nil when the size is not positive or holds more than
    /// `ImageDecoder.maximumPixelCount` pixels.
    public var pixelCount: Int? {
        let (count, overflow) = width.multipliedReportingOverflow(by: height)
        guard width >= 1, height >= 1, !overflow, count <= ImageDecoder.maximumPixelCount else { return nil }
        return count
    }

    /// Throws `TripletError.invalidParameter` naming `parameter` unless the size is positive and holds at most
    /// `ImageDecoder.maximumPixelCount` pixels; returns the pixel count.
    @discardableResult
    public func validate(_ parameter: String = "image size") throws -> Int {
        guard let count = pixelCount else {
            throw TripletError.invalidParameter(
                name: parameter, value: description,
                expected: "a positive width and height of at most \(ImageDecoder.maximumPixelCount) pixels in all")
        }
        return count
    }
}
