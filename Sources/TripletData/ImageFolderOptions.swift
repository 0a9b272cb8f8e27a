import TripletCore

/// How `ImageFolder.load` decodes a folder of images.
public struct ImageFolderOptions: Sendable, Equatable {
    /// The size every image is resized to (stb_image_resize, triangle filter); nil keeps the files' own size,
    /// which must then be the same for all of them.
    public var size: ImageSize?
    /// Grey, RGB, or `.automatic`: RGB when any image in the folder has colour, else grey.
    public var channels: ImageChannels
    /// Whether unreadable, damaged or truncated files are skipped (and listed in `ImageFolder.skipped`)
    /// instead of stopping the load with an error.
    public var skipBadFiles: Bool
    /// How many threads decode at once (at least 1).
    public var threads: Int

    /// Options for `ImageFolder.load`; the defaults keep the images' size and channels, stop at the first bad
    /// file and use every processor.
    public init(
        size: ImageSize? = nil, channels: ImageChannels = .automatic, skipBadFiles: Bool = false,
        threads: Int = Parallel.defaultThreads
    ) {
        self.size = size
        self.channels = channels
        self.skipBadFiles = skipBadFiles
        self.threads = threads
    }
}
