/// How many colour channels a decoded image has.
public enum ImageChannels: String, Sendable, Codable, CaseIterable {
    /// One channel: colour files are converted to luminance as stb_image does it,
    /// (77 R + 150 G + 29 B) / 256.
    case grey
    /// Three channels, red, green and blue: grey files have their level repeated in each.
    case rgb
    /// As the file is: one channel for a grey file (with or without alpha), three for a colour one.
    /// `ImageFolder` reads this as "three when any image in the folder has colour, else one".
    case automatic

    /// The channel count for a file described by `info`: 1 or 3.
    public func count(for info: ImageInfo) -> Int {
        switch self {
        case .grey: return 1
        case .rgb: return 3
        case .automatic: return info.hasColour ? 3 : 1
        }
    }
}
