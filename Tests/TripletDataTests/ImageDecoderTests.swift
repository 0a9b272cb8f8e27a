import Foundation
import Testing

@testable import TripletCore
@testable import TripletData

/// The reason of the `TripletError.corruptFile` that decoding `bytes` throws, or nil.
private func failure(_ bytes: [UInt8], channels: ImageChannels = .automatic, size: ImageSize? = nil) -> String? {
    corruptReason { _ = try ImageDecoder.decode(bytes, source: "img", channels: channels, size: size) }?.reason
}

@Suite("Image decoding")
struct ImageDecoderTests {
    let width = 7, height = 5

    @Test func decodesPNGExactlyInGreyAndColour() throws {
        for channels in [1, 3] {
            let samples = ImageFixtures.pattern(width: width, height: height, channels: channels)
            let png = try ImageEncoder.png(width: width, height: height, channels: channels, pixels: samples)
            let image = try ImageDecoder.decode(png, source: "x.png")
            #expect(image.width == width && image.height == height && image.channels == channels)
            #expect(image.pixels == ImageFixtures.planar(samples, channels: channels))
            #expect(try image.tensor.shape == [channels, height, width])
        }
    }

    @Test func decodesBMPExactly() throws {
        let samples = ImageFixtures.pattern(width: width, height: height, channels: 3, seed: 5)
        let bmp = try ImageEncoder.bmp(width: width, height: height, channels: 3, pixels: samples)
        #expect(bmp.starts(with: Array("BM".utf8)))
        let image = try ImageDecoder.decode(bmp, source: "x.bmp", channels: .rgb)
        #expect(image.pixels == ImageFixtures.planar(samples, channels: 3))
    }

    @Test func decodesPGMAndPPMScaledByMaxval() throws {
        let grey = try ImageDecoder.decode(
            ImageFixtures.pnm("P5", "\n# made by hand\n3 # width\n2\n# maxval next\n255\n", [0, 51, 255, 102, 1, 254]),
            source: "a.pgm")
        #expect(grey.channels == 1 && grey.pixels == [0, 51, 255, 102, 1, 254].map { Float($0) / 255 })
        let small = try ImageDecoder.decode(ImageFixtures.pnm("P5", " 3 2 15\t", [0, 15, 5, 3, 10, 1]), source: "b")
        #expect(small.pixels == [0, 15, 5, 3, 10, 1].map { Float($0) / 15 })
        let samples = ImageFixtures.pattern(width: 2, height: 2, channels: 3)
        let colour = try ImageDecoder.decode(ImageFixtures.pnm("P6", " 2 2 255\n", samples), source: "c.ppm")
        #expect(colour.channels == 3 && colour.pixels == ImageFixtures.planar(samples, channels: 3))
    }

    @Test func decodesTheFirstFrameOfAGIF() throws {
        // 2×1, a global palette of two colours, LZW (minimum code size 2): clear, 0, 1, end; then a second
        // frame of the other colours, which is ignored.
        let gif = ImageFixtures.gif
        let (header, frame) = (ImageFixtures.gifHeader, ImageFixtures.gifFrame)
        let image = try ImageDecoder.decode(gif, source: "x.gif", channels: .rgb)
        #expect(image.width == 2 && image.height == 1)
        #expect(image.pixels == [10, 200, 20, 100, 30, 50].map { Float($0) / 255 })
        // Every cut before the end of the first frame is refused (stb_image alone returns black pixels).
        for cut in 0..<(header.count + frame.count) {
            #expect(failure(Array(gif[..<cut])) != nil, "cut at \(cut)")
        }
        #expect(failure(Array(gif[..<(header.count + frame.count)])) == nil)
    }

    @Test func decodesJPEGApproximately() throws {
        // A smooth image: JPEG at quality 100 keeps every sample within a few levels.
        let w = 32, h = 24
        let samples = (0..<w * h).flatMap { p -> [UInt8] in
            let x = p % w, y = p / w
            return [UInt8(x * 8), UInt8(y * 10), UInt8(128)]
        }
        let jpeg = try ImageEncoder.jpeg(width: w, height: h, channels: 3, pixels: samples, quality: 100)
        #expect(jpeg.starts(with: [0xFF, 0xD8]))
        let image = try ImageDecoder.decode(jpeg, source: "x.jpg")
        #expect(image.channels == 3 && image.width == w && image.height == h)
        let expected = ImageFixtures.planar(samples, channels: 3)
        let worst = zip(image.pixels, expected).map { abs($0 - $1) }.max() ?? 1
        #expect(worst < 0.05, "largest JPEG error \(worst)")
    }

    @Test func convertsBetweenGreyAndColour() throws {
        let samples: [UInt8] = [255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30]  // 2×2 RGB
        let png = try ImageEncoder.png(width: 2, height: 2, channels: 3, pixels: samples)
        let grey = try ImageDecoder.decode(png, source: "c", channels: .grey)
        // stb_image's luminance: (77 R + 150 G + 29 B) >> 8.
        let levels = stride(from: 0, to: 12, by: 3).map {
            Float((77 * Int(samples[$0]) + 150 * Int(samples[$0 + 1]) + 29 * Int(samples[$0 + 2])) >> 8) / 255
        }
        #expect(grey.channels == 1 && grey.pixels == levels)
        let greyPNG = try ImageEncoder.png(width: 2, height: 2, channels: 1, pixels: [0, 85, 170, 255])
        let rgb = try ImageDecoder.decode(greyPNG, source: "g", channels: .rgb)
        let plane: [Float] = [0, 85, 170, 255].map { $0 / 255 }
        #expect(rgb.channels == 3 && rgb.pixels == plane + plane + plane)
        // Alpha is dropped: a grey + alpha file is grey, an RGBA file colour.
        let greyAlpha = try ImageEncoder.png(width: 1, height: 1, channels: 2, pixels: [40, 7])
        #expect(try ImageDecoder.decode(greyAlpha, source: "ga").pixels == [40 / 255])
        let rgba = try ImageEncoder.png(width: 1, height: 1, channels: 4, pixels: [1, 2, 3, 4])
        #expect(try ImageDecoder.decode(rgba, source: "rgba").pixels == [1 / 255, 2 / 255, 3 / 255])
    }

    @Test func resizesWithTheTriangleFilter() throws {
        // A constant image stays constant at any size; the same size is the identity.
        let flat = try ImageEncoder.png(width: 9, height: 7, channels: 3, pixels: [UInt8](repeating: 200, count: 189))
        let small = try ImageDecoder.decode(flat, source: "f", size: ImageSize(width: 4, height: 3))
        #expect(small.width == 4 && small.height == 3 && small.pixels.count == 36)
        #expect(small.pixels.allSatisfy { abs($0 - 200 / 255) < 1e-5 })
        let samples = ImageFixtures.pattern(width: width, height: height, channels: 1)
        let png = try ImageEncoder.png(width: width, height: height, channels: 1, pixels: samples)
        let same = try ImageDecoder.decode(png, source: "s", size: ImageSize(width: width, height: height))
        #expect(same.pixels == ImageFixtures.planar(samples, channels: 1))
        // Halving a 4×1 row averages pairs (the tent of a 2:1 reduction spans exactly two pixels here).
        let row = try ImageEncoder.png(width: 4, height: 1, channels: 1, pixels: [0, 100, 200, 40])
        let halved = try ImageDecoder.decode(row, source: "r", size: ImageSize(width: 2, height: 1))
        #expect(halved.pixels.count == 2)
        #expect(halved.pixels[0] > 0 && halved.pixels[0] < 100 / 255 && halved.pixels[1] > 40 / 255)
        // Doubling a 2×1 row interpolates between the two levels, clamped at the edges.
        let pair = try ImageEncoder.png(width: 2, height: 1, channels: 1, pixels: [0, 255])
        let doubled = try ImageDecoder.decode(pair, source: "p", size: ImageSize(width: 4, height: 1))
        #expect(doubled.pixels.map { ($0 * 4).rounded() / 4 } == [0, 0.25, 0.75, 1])
        #expect(doubled.pixels.allSatisfy { (0...1).contains($0) })
    }

    @Test func readsTheHeaderWithoutDecoding() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let url = try folder.write(
            try ImageEncoder.png(width: 5, height: 3, channels: 4, pixels: [UInt8](repeating: 9, count: 60)),
            to: "x.png")
        #expect(try ImageDecoder.info(contentsOf: url) == ImageInfo(width: 5, height: 3, channels: 4))
        #expect(try ImageDecoder.info(contentsOf: url).hasColour)
        let decoded = try ImageDecoder.read(contentsOf: url, channels: .grey)
        #expect(decoded.pixels == [Float](repeating: 9 / 255, count: 15))
        let missing = folder.url.appendingPathComponent("none.png")
        #expect(corruptReason { _ = try ImageDecoder.info(contentsOf: missing) }?.reason == "no such file")
        #expect(corruptReason { _ = try ImageDecoder.read(contentsOf: missing) }?.path == missing.path)
    }

    @Test func rejectsOtherFormatsNamingTheReason() {
        #expect(failure([]) == "empty file")
        for garbage in [Array("GIF87 not really".utf8), Array("hello, world".utf8), [UInt8](repeating: 0, count: 64)] {
            let reason = failure(garbage)
            #expect(reason?.contains("not an image stb_image can read") == true, "\(reason ?? "no error")")
            #expect(reason?.contains("stb_image says") == true)
        }
    }

    @Test func rejectsADamagedPNMHeader() {
        for header in [" 3", " 3 2", " 3 2 255", " x 2 255\n", " 3 -2 255\n", " 3 2 0\n", "3 2 255\n", " 3 0 255\n"] {
            let reason = failure(ImageFixtures.pnm("P5", header, [1, 2, 3, 4, 5, 6]))
            #expect(reason?.contains("damaged PGM header") == true, "\(header): \(reason ?? "no error")")
        }
        #expect(failure(ImageFixtures.pnm("P6", " 1 1 255 ", [1, 2, 3, 4]))?.contains("no error") != true)
        #expect(
            failure(ImageFixtures.pnm("P5", " 3 2 65535\n", [UInt8](repeating: 0, count: 12)))?.contains(
                "maxval 65535 > 255") == true)
        #expect(
            failure(ImageFixtures.pnm("P5", " 3 2 9\n", [1, 2, 3, 10, 5, 6]))?.contains(
                "sample 3 is 10, above the maxval 9")
                == true)
    }

    @Test func rejectsTruncatedFilesOfEveryFormat() throws {
        #expect(
            failure(ImageFixtures.pnm("P5", " 3 2 255\n", [1, 2, 3, 4, 5]))
                == "truncated pixel data: 5 of the 6 pixel bytes")
        #expect(
            failure(ImageFixtures.pnm("P6", " 2 1 255\n", [1, 2, 3])) == "truncated pixel data: 3 of the 6 pixel bytes")
        let samples = ImageFixtures.pattern(width: 16, height: 12, channels: 3)
        let png = try ImageEncoder.png(width: 16, height: 12, channels: 3, pixels: samples)
        let bmp = try ImageEncoder.bmp(width: 16, height: 12, channels: 3, pixels: samples)
        let jpeg = try ImageEncoder.jpeg(width: 16, height: 12, channels: 3, pixels: samples)
        let pgm = ImageFixtures.pgm(width: 16, height: 12, Array(samples[..<192]))
        // Every prefix that cuts into the pixel data is refused (a PNG cut inside its final IEND chunk,
        // after all the pixels, still decodes).
        for (name, file, end) in [
            ("PNG", png, png.count - 12), ("BMP", bmp, bmp.count), ("JPEG", jpeg, jpeg.count),
            ("PGM", pgm, pgm.count),
        ] {
            for cut in 0..<end {
                #expect(failure(Array(file[..<cut])) != nil, "\(name) cut at \(cut) of \(file.count)")
            }
            #expect(failure(file) == nil)
        }
        #expect(failure(Array(bmp.dropLast(7)))?.contains("truncated pixel data") == true)
    }

    @Test func refusesHugeImagesBeforeAllocating() throws {
        let reason = failure(ImageFixtures.pnm("P5", " 99999 99999 255\n", [0]))
        #expect(reason?.contains("truncated pixel data") == true || reason?.contains("at most") == true)
        // Headers that announce 40000 × 40000 pixels (1.6 × 10⁹) are refused from the header alone.
        var png = try ImageEncoder.png(width: 1, height: 1, channels: 1, pixels: [0])
        png.replaceSubrange(16..<24, with: [0, 0, 0x9C, 0x40, 0, 0, 0x9C, 0x40])
        #expect(failure(png) != nil)
        var bmp = try ImageEncoder.bmp(width: 1, height: 1, channels: 3, pixels: [0, 0, 0])
        bmp.replaceSubrange(18..<26, with: [0x40, 0x9C, 0, 0, 0x40, 0x9C, 0, 0])
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let url = try folder.write(bmp, to: "huge.bmp")
        let huge = corruptReason { _ = try ImageDecoder.info(contentsOf: url) }?.reason
        #expect(huge == "the header announces 40000×40000 pixels: an image needs at least one and at most 1073741824")
        #expect(failure(bmp) != nil)
        #expect(throws: TripletError.self) {
            try ImageDecoder.decode(
                ImageFixtures.pgm(width: 1, height: 1, [0]), source: "s", size: ImageSize(width: 0, height: 1))
        }
        #expect(throws: TripletError.self) {
            try ImageDecoder.decode(
                ImageFixtures.pgm(width: 1, height: 1, [0]), source: "s",
                size: ImageSize(width: 1 << 16, height: 1 << 15))
        }
    }

    /// A header within `maximumPixelCount` (30000 × 30000, 9 × 10⁸ pixels) in a 70-byte file: the 3.6 GB
    /// output buffer was allocated before stb_image found the data missing; the file's length now refuses it.
    @Test func refusesMorePixelsThanTheFileCanHold() throws {
        var png = try ImageEncoder.png(width: 1, height: 1, channels: 1, pixels: [0])
        png.replaceSubrange(16..<24, with: [0, 0, 0x75, 0x30, 0, 0, 0x75, 0x30])
        let reason = failure(png)
        #expect(
            reason?.contains("30000×30000 pixels, more than a \(png.count)-byte file can hold") == true,
            "\(reason ?? "")")
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let url = try folder.write(png, to: "huge.png")
        #expect(corruptReason { _ = try ImageDecoder.info(contentsOf: url) }?.reason.contains("can hold") == true)
        // A blank 2048 × 2048 PNG compresses to a few kilobytes and still decodes.
        let blank = try ImageEncoder.png(
            width: 2048, height: 2048, channels: 1, pixels: [UInt8](repeating: 0, count: 2048 * 2048))
        #expect(try ImageDecoder.info(blank, source: "blank").size == ImageSize(width: 2048, height: 2048))
    }

    /// The image-resize fuzz target's finding: Debian's libstb.so asserts (aborts) in
    /// stbir__normalize_downsample_coefficients when shrinking 7 → 5 or 9 → 7 pixels; the resize is compiled
    /// from the header with that assert off. The crashing input was a 5 × 7 PGM resized to 7 × 5.
    @Test func shrinksByRatiosThatTrippedStbAsserts() throws {
        for (width, height) in [(5, 7), (9, 7), (9, 5), (9, 9), (12, 7)] {
            let pgm = ImageFixtures.pgm(width: width, height: height, (0..<width * height).map { UInt8($0 * 37 % 256) })
            let image = try ImageDecoder.decode(pgm, source: "s", channels: .rgb, size: ImageSize(width: 7, height: 5))
            #expect(image.pixels.count == 3 * 7 * 5 && image.pixels.allSatisfy { (0...1).contains($0) })
        }
    }

    /// The image fuzz target's finding: a 37-byte BMP whose header announces 1 769 238 607 × 1 818 324 591
    /// pixels of 24 bits made the pixel byte count overflow Int (a trap); it is refused as truncated.
    @Test func aBMPWhosePixelCountOverflowsIsTruncated() {
        let crash: [UInt8] = [
            0x42, 0x4d, 0xad, 0xff, 0xff, 0xff, 0xff, 0xff, 0xf9, 0x00, 0x31, 0x00, 0x00, 0x00, 0x28, 0x00, 0x00, 0x00,
            0x4f, 0x70, 0x74, 0x69, 0x6f, 0x6e, 0x61, 0x6c, 0x01, 0x00, 0x18, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00,
            0x00,
        ]
        #expect(failure(crash)?.contains("truncated pixel data") == true, "\(failure(crash) ?? "")")
    }

    @Test func neverTrapsOnDamagedBytes() throws {
        let samples = ImageFixtures.pattern(width: 9, height: 6, channels: 3)
        let files = [
            try ImageEncoder.png(width: 9, height: 6, channels: 3, pixels: samples),
            try ImageEncoder.bmp(width: 9, height: 6, channels: 3, pixels: samples),
            try ImageEncoder.jpeg(width: 9, height: 6, channels: 3, pixels: samples),
            ImageFixtures.pnm("P6", " 9 6 255\n", samples),
            ImageFixtures.gif,
        ]
        var generator = SeededGenerator(seed: 7)
        var refused = 0
        for file in files {
            for _ in 0..<300 {
                var damaged = file
                for _ in 0..<Int.random(in: 1...4, using: &generator) {
                    damaged[Int.random(in: 0..<damaged.count, using: &generator)] = UInt8.random(
                        in: 0...255, using: &generator)
                }
                do {
                    let image = try ImageDecoder.decode(damaged, source: "d", size: ImageSize(width: 9, height: 6))
                    #expect(image.pixels.allSatisfy { (0...1).contains($0) })
                } catch {
                    #expect(error is TripletError)
                    refused += 1
                }
            }
        }
        #expect(refused > 0)
    }
}
