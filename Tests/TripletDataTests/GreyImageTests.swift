import Foundation
import Testing

@testable import TripletCore
@testable import TripletData

/// The reason of the `TripletError.corruptFile` that decoding `bytes` as a `width`×`height` image throws.
private func failure(_ bytes: [UInt8], width: Int = 3, height: Int = 2) -> String? {
    corruptReason { _ = try GreyImage.decode(bytes, source: "img", width: width, height: height) }?.reason
}

/// The `TripletError.invalidParameter` that decoding `bytes` throws, as its description.
private func parameterError(_ bytes: [UInt8], width: Int = 3, height: Int = 2) -> String? {
    do {
        _ = try GreyImage.decode(bytes, source: "img", width: width, height: height)
        return nil
    } catch let error as TripletError {
        guard case .invalidParameter = error else { return nil }
        return error.description
    } catch {
        return nil
    }
}

@Suite("GreyImage")
struct GreyImageTests {
    let grey: [UInt8] = [0, 51, 255, 102, 1, 254]
    var expected: [Float] { grey.map { Float($0) / 255 } }

    @Test func readsEachFormatFromFiles() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let files = [
            "x.png": try ImageEncoder.png(width: 3, height: 2, channels: 1, pixels: grey),
            "x.bmp": try ImageEncoder.bmp(width: 3, height: 2, channels: 1, pixels: grey),
            "x.pgm": ImageFixtures.pgm(width: 3, height: 2, grey),
            "x.ppm": ImageFixtures.pnm("P6", " 3 2 255\n", grey.flatMap { [$0, $0, $0] }),
        ]
        for (name, bytes) in files {
            let url = try folder.write(bytes, to: name)
            #expect(try GreyImage.read(contentsOf: url, width: 3, height: 2) == expected, "\(name)")
        }
        let jpeg = try folder.write(
            try ImageEncoder.jpeg(width: 3, height: 2, channels: 1, pixels: [90, 90, 90, 90, 90, 90], quality: 100),
            to: "x.jpg")
        #expect(try GreyImage.read(contentsOf: jpeg, width: 3, height: 2).allSatisfy { abs($0 - 90 / 255) < 0.01 })
        let missing = folder.url.appendingPathComponent("none.png")
        let error = corruptReason { _ = try GreyImage.read(contentsOf: missing, width: 3, height: 2) }
        #expect(error?.path == missing.path)
        #expect(error?.reason == "no such file")
    }

    @Test func convertsColourToGrey() throws {
        let rgb = try ImageEncoder.png(width: 1, height: 1, channels: 3, pixels: [100, 100, 100])
        #expect(try GreyImage.decode(rgb, source: "c", width: 1, height: 1) == [100 / 255])
    }

    @Test func rejectsAnotherSizeBeforeDecoding() throws {
        let small = parameterError(ImageFixtures.pgm(width: 2, height: 2, [1, 2, 3, 4]))
        #expect(small?.contains("2×2 of img") == true)
        #expect(small?.contains("expected 3×2 pixels: resize it first") == true)
        let png = try ImageEncoder.png(width: 2, height: 3, channels: 1, pixels: [0, 1, 2, 3, 4, 5])
        #expect(parameterError(png)?.contains("2×3 of img") == true)
    }

    @Test func rejectsAnImpossibleSizeRequest() {
        for (w, h) in [(0, 5), (5, -1), (Int.max, 2), (1 << 16, 1 << 15)] {
            let error = parameterError(ImageFixtures.pgm(width: 3, height: 2, grey), width: w, height: h)
            #expect(error?.contains("image size") == true, "\(w)×\(h)")
        }
    }

    @Test func rejectsTruncatedAndDamagedFiles() throws {
        #expect(
            failure(ImageFixtures.pgm(width: 3, height: 2, [1, 2, 3, 4, 5]))
                == "truncated pixel data: 5 of the 6 pixel bytes")
        let png = try ImageEncoder.png(width: 3, height: 2, channels: 1, pixels: grey)
        for cut in 0..<(png.count - 12) {
            #expect(failure(Array(png[..<cut])) != nil, "cut at \(cut)")
        }
        var damaged = png
        damaged[25] = 9  // IHDR's colour type
        #expect(failure(damaged)?.contains("stb_image says") == true)
        #expect(failure(Array("P2 3 2 255\n0 1 2 3 4 5".utf8))?.contains("not an image stb_image can read") == true)
    }

    @Test func neverTrapsOnDamagedBytes() throws {
        let files = [
            try ImageEncoder.png(width: 3, height: 2, channels: 1, pixels: grey),
            ImageFixtures.pgm(width: 3, height: 2, grey),
        ]
        var generator = SeededGenerator(seed: 11)
        for file in files {
            for _ in 0..<300 {
                var damaged = file
                for _ in 0..<Int.random(in: 1...3, using: &generator) {
                    damaged[Int.random(in: 0..<damaged.count, using: &generator)] = UInt8.random(
                        in: 0...255, using: &generator)
                }
                do {
                    let x = try GreyImage.decode(damaged, source: "d", width: 3, height: 2)
                    #expect(x.count == 6)
                } catch {
                    #expect(error is TripletError)
                }
            }
        }
    }
}
