import Foundation
import TripletCore
import TripletData

/// Small greyscale PNG data URIs of some dataset images, for the neighbour grid: the first channel of
/// each [C, H, W] (or [H, W], or square [F]) sample, scaled to 0...255 by the range of all the images
/// shown, so that they stay comparable.
struct Thumbnails {
    /// The `data:image/png;base64,…` URI of each image shown.
    private(set) var uris: [Int: String] = [:]

    /// Thumbnails of the samples `indices` of `images` ([N, …]); none when a sample is not an image.
    init(images: Tensor?, indices: [Int]) throws {
        guard let images, let (height, width) = Self.imageSize(images.shape) else { return }
        let stride = images.rowWidth
        var low = Float.infinity, high = -Float.infinity
        for i in indices {
            for p in 0..<height * width {
                let v = images.scalars[i * stride + p]
                if v.isFinite {
                    low = min(low, v)
                    high = max(high, v)
                }
            }
        }
        let scale = high > low ? 255 / (high - low) : 0
        for i in Set(indices) {
            let pixels = (0..<height * width).map { p -> UInt8 in
                let v = images.scalars[i * stride + p]
                return v.isFinite ? UInt8(max(0, min(255, ((v - low) * scale).rounded()))) : 0
            }
            let png = try ImageEncoder.png(width: width, height: height, channels: 1, pixels: pixels)
            uris[i] = "data:image/png;base64," + Data(png).base64EncodedString()
        }
    }

    /// (height, width) of one sample of a tensor of this shape, or nil when it is not an image.
    static func imageSize(_ shape: [Int]) -> (Int, Int)? {
        switch shape.count {
        case 4 where shape[2] > 0 && shape[3] > 0: return (shape[2], shape[3])
        case 3 where shape[1] > 0 && shape[2] > 0: return (shape[1], shape[2])
        case 2:
            let side = Int(Double(shape[1]).squareRoot().rounded())
            return side > 1 && side * side == shape[1] ? (side, side) : nil
        default: return nil
        }
    }
}
