import TripletCore
import TripletData

/// The images an index was built from (the same rows, in the same order), served as small PNGs beside
/// search results, with the file each came from when the source was an image folder.
public struct ReferenceImages: Sendable {
    /// The images [N, 1 or 3, H, W], intensities in 0...1 (a data source's raw inputs).
    public let images: Tensor
    /// The file of each row relative to its folder, or empty.
    public let files: [String]

    /// Reference images; throws unless `images` is [N, 1 or 3, H, W] and `files` is empty or has N names.
    public init(images: Tensor, files: [String] = []) throws {
        guard images.shape.count == 4, images.shape[1] == 1 || images.shape[1] == 3 else {
            throw TripletError.shapeMismatch(expected: "[N, 1 or 3, H, W] images", got: images.shape)
        }
        guard files.isEmpty || files.count == images.shape[0] else {
            throw TripletError.invalidParameter(
                name: "files", value: "\(files.count) names", expected: "none or one per image (\(images.shape[0]))")
        }
        self.images = images
        self.files = files
    }

    /// How many images.
    public var count: Int { images.shape[0] }

    /// The PNG file of image `index` (an index within `0..<count`).
    func png(_ index: Int) throws -> [UInt8] {
        let channels = images.shape[1], height = images.shape[2], width = images.shape[3]
        let plane = width * height
        var bytes = [UInt8](repeating: 0, count: plane * channels)
        images.scalars.withUnsafeBufferPointer { all in
            let start = index * plane * channels
            for c in 0..<channels {
                for p in 0..<plane {
                    let value = all[start + c * plane + p]
                    bytes[p * channels + c] = UInt8((min(max(value, 0), 1) * 255).rounded())
                }
            }
        }
        return try ImageEncoder.png(width: width, height: height, channels: channels, pixels: bytes)
    }
}
