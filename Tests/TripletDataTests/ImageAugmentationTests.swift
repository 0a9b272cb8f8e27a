import Foundation
import Testing

@testable import TripletCore
@testable import TripletData

@Suite("Image augmentation")
struct ImageAugmentationTests {
    /// 64 two-channel 4×5 images with distinct positive values (so that zeros can only be padding).
    let batch = try! Tensor(shape: [64, 2, 4, 5], scalars: (0..<64 * 40).map { Float($0 + 1) })

    /// Sample `n`, channel `c` of `images` as rows.
    func image(_ images: Tensor, _ n: Int, _ c: Int) -> [[Float]] {
        (0..<4).map { y in (0..<5).map { x in images.scalars[((n * 2 + c) * 4 + y) * 5 + x] } }
    }

    /// `rows` shifted by (dy, dx) with zeros coming in, then optionally mirrored.
    func shifted(_ rows: [[Float]], dy: Int, dx: Int, flip: Bool) -> [[Float]] {
        (0..<4).map { y in
            (0..<5).map { x in
                let sx = (flip ? 4 - x : x) + dx, sy = y + dy
                return (0..<4).contains(sy) && (0..<5).contains(sx) ? rows[sy][sx] : 0
            }
        }
    }

    @Test func offIsTheIdentityAndDrawsNothing() throws {
        var generator = SeededGenerator(seed: 3)
        #expect(ImageAugmentation.none.isIdentity)
        #expect(try ImageAugmentation.none.apply(batch, generator: &generator) == batch)
        #expect(generator == SeededGenerator(seed: 3))
    }

    @Test func theSameSeedGivesTheSameBatch() throws {
        let augmentation = ImageAugmentation(padding: 2, horizontalFlip: true)
        var a = SeededGenerator(seed: 9), b = SeededGenerator(seed: 9), c = SeededGenerator(seed: 10)
        let first = try augmentation.apply(batch, generator: &a)
        #expect(try augmentation.apply(batch, generator: &b) == first)
        #expect(a == b)
        #expect(try augmentation.apply(batch, generator: &c) != first)
        #expect(first != batch)
    }

    @Test func flipsAboutHalfTheImagesWholly() throws {
        var generator = SeededGenerator(seed: 1)
        let out = try ImageAugmentation(horizontalFlip: true).apply(batch, generator: &generator)
        var flipped = 0
        for n in 0..<64 {
            let mirrored = image(out, n, 0) == image(batch, n, 0).map { $0.reversed() }
            #expect(mirrored || image(out, n, 0) == image(batch, n, 0))
            // Both channels get the same flip.
            #expect(mirrored == (image(out, n, 1) == image(batch, n, 1).map { $0.reversed() }))
            if mirrored { flipped += 1 }
        }
        #expect((16...48).contains(flipped), "\(flipped) of 64 flipped")
    }

    @Test func cropsAtAnOffsetWithinThePadding() throws {
        var generator = SeededGenerator(seed: 5)
        let padding = 2
        let out = try ImageAugmentation(padding: padding, horizontalFlip: true).apply(batch, generator: &generator)
        var offsets = Set<[Int]>()
        for n in 0..<64 {
            var found: [Int]?
            for dy in -padding...padding {
                for dx in -padding...padding {
                    for flip in [false, true]
                    where shifted(image(batch, n, 0), dy: dy, dx: dx, flip: flip) == image(out, n, 0) {
                        found = [dy, dx]
                        #expect(shifted(image(batch, n, 1), dy: dy, dx: dx, flip: flip) == image(out, n, 1))
                    }
                }
            }
            #expect(found != nil, "image \(n) is no crop of its input")
            if let found { offsets.insert(found) }
        }
        #expect(offsets.count > 10, "only \(offsets.count) distinct offsets")
    }

    @Test func rejectsOtherShapesAndBadPadding() throws {
        var generator = SeededGenerator(seed: 0)
        let features = try Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        #expect(throws: TripletError.self) {
            try ImageAugmentation(horizontalFlip: true).apply(features, generator: &generator)
        }
        #expect(throws: TripletError.self) { try ImageAugmentation(padding: -1).apply(batch, generator: &generator) }
        let decoded = try JSONDecoder().decode(
            ImageAugmentation.self, from: JSONEncoder().encode(ImageAugmentation(padding: 4, horizontalFlip: true)))
        #expect(decoded == ImageAugmentation(padding: 4, horizontalFlip: true))
    }
}
