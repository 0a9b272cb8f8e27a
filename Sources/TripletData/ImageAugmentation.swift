import TripletCore

/// Random training-time changes to a batch of images [N, C, H, W], as torchvision's
/// `RandomCrop(size, padding)` followed by `RandomHorizontalFlip()`: each image is padded with `padding`
/// zeros on every side and cropped back to H × W at a random offset, then mirrored left–right with
/// probability 1/2. All channels of an image get the same crop and flip.
///
/// ```swift
/// let augmentation = ImageAugmentation(padding: 2, horizontalFlip: true)
/// var generator = SeededGenerator(seed: 42)
/// let batch = try augmentation.apply(images, generator: &generator)  // same seed, same batch
/// ```
///
/// For each image in order, the generator draws the crop's top, then its left offset (each in 0...2·padding,
/// only when padding > 0), then the flip (only when `horizontalFlip`); when both are off the batch is
/// returned as it is and the generator is not touched.
public struct ImageAugmentation: Codable, Equatable, Sendable {
    /// Zeros added on each side before the random crop back to the original size; 0 turns cropping off.
    public var padding: Int
    /// Whether each image is mirrored left–right with probability 1/2.
    public var horizontalFlip: Bool

    /// An augmentation; the defaults change nothing.
    public init(padding: Int = 0, horizontalFlip: Bool = false) {
        self.padding = padding
        self.horizontalFlip = horizontalFlip
    }

    /// No augmentation.
    public static let none = ImageAugmentation()

    /// Whether `apply` returns its input unchanged.
    public var isIdentity: Bool { padding == 0 && !horizontalFlip }

    /// The augmented batch.
    /// - Throws: `TripletError.shapeMismatch` unless `batch` is [N, C, H, W]; `TripletError.invalidParameter`
    ///   for a negative padding or one above 65,536.
    public func apply(_ batch: Tensor, generator: inout SeededGenerator) throws -> Tensor {
        guard (0...65_536).contains(padding) else {
            throw TripletError.invalidParameter(name: "padding", value: "\(padding)", expected: "0...65536")
        }
        guard batch.shape.count == 4 else {
            throw TripletError.shapeMismatch(expected: "[N, C, H, W] images", got: batch.shape)
        }
        if isIdentity { return batch }
        let (samples, channels, height, width) = (batch.shape[0], batch.shape[1], batch.shape[2], batch.shape[3])
        // The random draws first, image by image, then the copies.
        var shifts: [(dy: Int, dx: Int, flip: Bool)] = []
        shifts.reserveCapacity(samples)
        for _ in 0..<samples {
            let top = padding > 0 ? Int.random(in: 0...(2 * padding), using: &generator) : padding
            let left = padding > 0 ? Int.random(in: 0...(2 * padding), using: &generator) : padding
            let flip = horizontalFlip ? Bool.random(using: &generator) : false
            shifts.append((top - padding, left - padding, flip))
        }
        var output = batch
        let plane = height * width
        batch.scalars.withUnsafeBufferPointer { source in
            output.scalars.withUnsafeMutableBufferPointer { target in
                for (n, shift) in shifts.enumerated() {
                    for c in 0..<channels {
                        let base = (n * channels + c) * plane
                        for y in 0..<height {
                            let row = base + y * width
                            let sourceY = y + shift.dy
                            guard (0..<height).contains(sourceY) else {
                                for x in 0..<width { target[row + x] = 0 }
                                continue
                            }
                            let sourceRow = base + sourceY * width
                            for x in 0..<width {
                                // Flip after the crop: output column x shows cropped column W − 1 − x.
                                let sourceX = (shift.flip ? width - 1 - x : x) + shift.dx
                                target[row + x] = (0..<width).contains(sourceX) ? source[sourceRow + sourceX] : 0
                            }
                        }
                    }
                }
            }
        }
        return output
    }
}
