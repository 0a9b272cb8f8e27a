/// What an image file's header says: its size and the channels stored in it.
public struct ImageInfo: Sendable, Equatable {
    /// Pixels per row.
    public var width: Int
    /// Rows.
    public var height: Int
    /// The channels stored in the file: 1 grey, 2 grey and alpha, 3 RGB, 4 RGBA.
    public var channels: Int

    /// An image of `width` × `height` pixels with `channels` channels in the file.
    public init(width: Int, height: Int, channels: Int) {
        self.width = width
        self.height = height
        self.channels = channels
    }

    /// The size in pixels.
    public var size: ImageSize { ImageSize(width: width, height: height) }

    /// Whether the file stores colour (RGB or RGBA) rather than grey levels.
    public var hasColour: Bool { channels >= 3 }
}
