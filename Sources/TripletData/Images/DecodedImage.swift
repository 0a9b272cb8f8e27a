import TripletCore

/// A decoded image: intensities in 0...1, channel-planar (CHW): every pixel of channel 0 row after row
/// from the top-left, then channel 1, then channel 2.
public struct DecodedImage: Sendable, Equatable {
    /// Pixels per row.
    public var width: Int
    /// Rows.
    public var height: Int
    /// 1 (grey) or 3 (red, green, blue).
    public var channels: Int
    /// `channels × height × width` intensities in 0...1 (0 black, 1 full intensity).
    public var pixels: [Float]

    /// The image as a [channels, height, width] tensor.
    public var tensor: Tensor {
        get throws { try Tensor(shape: [channels, height, width], scalars: pixels) }
    }
}
