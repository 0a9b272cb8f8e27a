import CZlib
import Foundation
import Testing

@testable import TripletCore
@testable import TripletData

/// A PNG file: signature, the given chunks (with CRCs), nothing else.
private func pngFile(_ chunks: [(type: String, body: [UInt8])]) -> [UInt8] {
    var file: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    for (type, body) in chunks {
        let typed = Array(type.utf8) + body
        file += bigEndian(UInt32(body.count)) + typed + bigEndian(crc32(typed))
    }
    return file
}

/// The 13 bytes of an IHDR chunk.
private func ihdr(width: Int, height: Int, depth: UInt8 = 8, colour: UInt8 = 0, interlace: UInt8 = 0) -> [UInt8] {
    bigEndian(UInt32(width)) + bigEndian(UInt32(height)) + [depth, colour, 0, 0, interlace]
}

/// `bytes` compressed by zlib's `compress`.
private func zlib(_ bytes: [UInt8]) -> [UInt8] {
    var size = compressBound(UInt(bytes.count))
    var out = [UInt8](repeating: 0, count: Int(size))
    let status = compress(&out, &size, bytes, UInt(bytes.count))
    precondition(status == Z_OK, "zlib compress failed: \(status)")
    return Array(out[..<Int(size)])
}

/// A greyscale PNG whose rows are already filtered: `raw` holds a filter byte and `width` bytes per row.
private func png(width: Int, height: Int, raw: [UInt8]) -> [UInt8] {
    pngFile([("IHDR", ihdr(width: width, height: height)), ("IDAT", zlib(raw)), ("IEND", [])])
}

/// The rows of `pixels`, each with its filter from `filters` applied as the PNG specification defines it.
private func filtered(_ pixels: [UInt8], width: Int, filters: [UInt8]) -> [UInt8] {
    func at(_ x: Int, _ y: Int) -> Int { x >= 0 && y >= 0 ? Int(pixels[y * width + x]) : 0 }
    var raw: [UInt8] = []
    for (y, filter) in filters.enumerated() {
        raw.append(filter)
        for x in 0..<width {
            let a = at(x - 1, y), b = at(x, y - 1), c = at(x - 1, y - 1)
            let p = a + b - c
            let paeth = abs(p - a) <= abs(p - b) && abs(p - a) <= abs(p - c) ? a : abs(p - b) <= abs(p - c) ? b : c
            let predictor = [0, a, b, (a + b) / 2, paeth][Int(filter)]
            raw.append(UInt8(truncatingIfNeeded: at(x, y) - predictor))
        }
    }
    return raw
}

/// A binary PGM: `header` (text after "P5") and the pixel bytes.
private func pgm(_ header: String, _ pixels: [UInt8]) -> [UInt8] { Array("P5\(header)".utf8) + pixels }

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
    /// A 7×6 image with values all over 0...255, so that filters wrap around.
    let width = 7, height = 6
    var pixels: [UInt8] { (0..<42).map { UInt8(truncatingIfNeeded: $0 &* 97 &+ ($0 % 3 == 0 ? 200 : 13)) } }

    @Test func readsPGMWithCommentsAtMaxval255() throws {
        let bytes = pgm("\n# made by hand\n3 # width\n2\n# maxval next\n255\n", [0, 51, 255, 102, 1, 254])
        let x = try GreyImage.decode(bytes, source: "a.pgm", width: 3, height: 2)
        #expect(x == [0, 51, 255, 102, 1, 254].map { Float($0) / 255 })
    }

    @Test func scalesASmallerMaxvalTo0Through1() throws {
        let x = try GreyImage.decode(pgm(" 3 2 15\t", [0, 15, 5, 3, 10, 1]), source: "b.pgm", width: 3, height: 2)
        #expect(x == [0, 15, 5, 3, 10, 1].map { Float($0) / 15 })
        #expect(try GreyImage.decode(pgm(" 1 1 1 ", [1]), source: "one.pgm", width: 1, height: 1) == [1])
    }

    @Test func ignoresBytesAfterThePGMImage() throws {
        let x = try GreyImage.decode(pgm(" 2 1 255\n", [7, 8, 9, 9]), source: "c.pgm", width: 2, height: 1)
        #expect(x == [7 / 255, 8 / 255])
    }

    @Test func decodesEachRowFilterByHand() throws {
        // Row 0 "sub" [10, 5, 5] → 10 15 20; row 1 "Paeth" [1, 1, 1] picks the pixel above each time.
        let paeth = try GreyImage.decode(
            png(width: 3, height: 2, raw: [1, 10, 5, 5, 4, 1, 1, 1]), source: "p", width: 3, height: 2)
        #expect(paeth.map { Int(($0 * 255).rounded()) } == [10, 15, 20, 11, 16, 21])
        // Row 1 "average" [1, 1, 1]: 0+10>>1 +1 = 6, 6+15>>1 +1 = 11, 11+20>>1 +1 = 16.
        let average = try GreyImage.decode(
            png(width: 3, height: 2, raw: [1, 10, 5, 5, 3, 1, 1, 1]), source: "a", width: 3, height: 2)
        #expect(average.map { Int(($0 * 255).rounded()) } == [10, 15, 20, 6, 11, 16])
        // Row 0 "up" has no row above (zeros); row 1 "up" adds it, wrapping modulo 256.
        let up = try GreyImage.decode(
            png(width: 3, height: 2, raw: [2, 9, 200, 3, 2, 1, 100, 255]), source: "u", width: 3, height: 2)
        #expect(up.map { Int(($0 * 255).rounded()) } == [9, 200, 3, 10, 44, 2])
    }

    @Test(arguments: 0..<5)
    func decodesEveryRowFilterInEveryRow(shift: Int) throws {
        let filters = (0..<height).map { UInt8(($0 + shift) % 5) }
        let bytes = png(width: width, height: height, raw: filtered(pixels, width: width, filters: filters))
        let x = try GreyImage.decode(bytes, source: "f.png", width: width, height: height)
        #expect(x == pixels.map { Float($0) / 255 }, "filters \(filters)")
    }

    @Test func joinsSeveralIDATChunksAndSkipsAncillaryOnes() throws {
        let data = zlib(filtered(pixels, width: width, filters: [4, 3, 2, 1, 0, 4]))
        let bytes = pngFile([
            ("IHDR", ihdr(width: width, height: height)), ("tEXt", Array("Comment\0hi".utf8)),
            ("IDAT", Array(data[..<5])), ("IDAT", []), ("IDAT", Array(data[5...])), ("IEND", []),
        ])
        #expect(
            try GreyImage.decode(bytes, source: "s.png", width: width, height: height) == pixels.map { Float($0) / 255 }
        )
    }

    @Test func readsFilesAndNamesAMissingOne() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let pngURL = try folder.write(png(width: 3, height: 2, raw: [0, 1, 2, 3, 0, 4, 5, 6]), to: "x.png")
        let pgmURL = try folder.write(pgm("\n3 2\n255\n", [1, 2, 3, 4, 5, 6]), to: "x.pgm")
        let expected: [Float] = [1, 2, 3, 4, 5, 6].map { $0 / 255 }
        #expect(try GreyImage.read(contentsOf: pngURL, width: 3, height: 2) == expected)
        #expect(try GreyImage.read(contentsOf: pgmURL, width: 3, height: 2) == expected)
        let missing = folder.url.appendingPathComponent("none.png")
        let error = corruptReason { _ = try GreyImage.read(contentsOf: missing, width: 3, height: 2) }
        #expect(error?.path == missing.path)
        #expect(error?.reason == "no such file")
    }

    @Test func rejectsOtherFormats() {
        #expect(failure([])?.contains("neither a PNG nor a binary PGM") == true)
        #expect(failure(Array("GIF89a".utf8))?.contains("neither a PNG nor a binary PGM") == true)
        #expect(failure(Array("P2 3 2 255\n0 1 2 3 4 5".utf8))?.contains("plain (ASCII) PGM") == true)
        #expect(failure(Array("P6 3 2 255\n".utf8))?.contains("neither a PNG nor a binary PGM") == true)
    }

    @Test func rejectsADamagedPGMHeader() {
        for header in [
            "", " 3", " 3 2", " 3 2 255", " x 2 255\n", " 3 -2 255\n", " 3 2 0\n", "3 2 255\n", " 3 2 2.5\n",
            " 3 2 99999999999999999999\n", " 3 2 255#c\n",
        ] {
            #expect(failure(pgm(header, [1, 2, 3, 4, 5, 6]))?.contains("damaged PGM header") == true, "\(header)")
        }
    }

    @Test func rejectsAPGMMaxvalAbove255() {
        #expect(failure(pgm(" 3 2 65535\n", Array(repeating: 0, count: 12)))?.contains("maxval 65535 > 255") == true)
    }

    @Test func rejectsTruncatedOrDamagedPGMPixels() {
        #expect(failure(pgm(" 3 2 255\n", [1, 2, 3, 4, 5])) == "truncated pixel data: 5 of the 6 pixel bytes")
        #expect(failure(pgm(" 3 2 255\n", [])) == "truncated pixel data: 0 of the 6 pixel bytes")
        #expect(failure(pgm(" 3 2 9\n", [1, 2, 3, 10, 5, 6]))?.contains("pixel 3 is 10, above the maxval 9") == true)
    }

    @Test func rejectsAnotherSizeBeforeReadingThePixels() {
        let small = parameterError(pgm(" 2 2 255\n", [1, 2, 3, 4]))
        #expect(small?.contains("2×2 of img") == true)
        #expect(small?.contains("expected 3×2 pixels: resize it first") == true)
        // A huge size in the header is refused without allocating it.
        #expect(parameterError(pgm(" 999999999 999999999 255\n", []))?.contains("resize it first") == true)
        #expect(
            parameterError(png(width: 0x7FFF_FFFF, height: 0x7FFF_FFFF, raw: [0]))?.contains("resize it first") == true)
        #expect(
            parameterError(png(width: 2, height: 3, raw: [0, 1, 2, 0, 3, 4, 0, 5, 6]))?.contains("2×3 of img") == true)
    }

    @Test func rejectsAnImpossibleSizeRequest() {
        for (w, h) in [(0, 5), (5, -1), (Int.max, 2), (1 << 16, 1 << 15)] {
            #expect(
                parameterError(pgm(" 3 2 255\n", [1, 2, 3, 4, 5, 6]), width: w, height: h)?.contains("image size")
                    == true)
        }
    }

    @Test func rejectsTruncatedPNGChunks() {
        let whole = png(width: 3, height: 2, raw: [0, 1, 2, 3, 0, 4, 5, 6])
        // Cut inside a chunk's 12-byte frame, inside its body, or announcing 2³² − 1 bytes.
        #expect(failure(Array(whole[..<12]))?.contains("truncated chunk") == true)
        #expect(failure(Array(whole[..<30]))?.contains("truncated IHDR chunk") == true)
        #expect(failure(Array(whole[..<(whole.count - 15)]))?.contains("truncated IDAT chunk") == true)
        var huge = whole
        huge.replaceSubrange(33..<37, with: [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(failure(huge)?.contains("truncated IDAT chunk: it announces 4294967295 bytes") == true)
        // Every prefix is refused cleanly.
        for cut in 0..<whole.count {
            let reason = failure(Array(whole[..<cut]))
            #expect(reason != nil, "cut at \(cut)")
        }
    }

    @Test func rejectsAPNGWithoutIHDROrIEND() {
        let raw = zlib([0, 1, 2, 3, 0, 4, 5, 6])
        #expect(failure(pngFile([]))?.contains("no IHDR chunk") == true)
        #expect(
            failure(pngFile([("IDAT", raw), ("IEND", [])]))?.contains("no IHDR chunk: the first chunk is IDAT") == true)
        #expect(
            failure(pngFile([("IHDR", ihdr(width: 3, height: 2)), ("IDAT", raw)]))?.contains("no IEND chunk") == true)
        #expect(
            failure(pngFile([("IHDR", [0, 0, 0, 3]), ("IDAT", raw), ("IEND", [])]))?.contains("damaged IHDR") == true)
    }

    @Test func rejectsUnsupportedPNGKinds() {
        func header(_ h: [UInt8]) -> [UInt8] {
            pngFile([("IHDR", h), ("IDAT", zlib([0, 1, 2, 3, 0, 4, 5, 6])), ("IEND", [])])
        }
        let sixteen = failure(header(ihdr(width: 3, height: 2, depth: 16)))
        #expect(sixteen?.contains("bit depth 16, colour type 0: only 8-bit greyscale PNG") == true)
        #expect(failure(header(ihdr(width: 3, height: 2, colour: 2)))?.contains("bit depth 8, colour type 2") == true)
        #expect(failure(header(ihdr(width: 3, height: 2, depth: 1)))?.contains("bit depth 1") == true)
        #expect(failure(header(ihdr(width: 3, height: 2, interlace: 1)))?.contains("interlaced") == true)
        #expect(failure(header(ihdr(width: 3, height: 2, interlace: 7)))?.contains("interlace method 7") == true)
    }

    @Test func rejectsMissingOrCorruptPNGData() {
        let head = ("IHDR", ihdr(width: 3, height: 2))
        #expect(failure(pngFile([head, ("IEND", [])]))?.contains("no pixel data") == true)
        #expect(failure(pngFile([head, ("IDAT", []), ("IEND", [])]))?.contains("no pixel data") == true)
        #expect(failure(pngFile([head, ("IDAT", [1, 2, 3, 4]), ("IEND", [])]))?.contains("corrupt zlib data") == true)
        var badCheck = zlib([0, 1, 2, 3, 0, 4, 5, 6])
        badCheck[badCheck.count - 1] ^= 0xFF
        let check = failure(pngFile([head, ("IDAT", badCheck), ("IEND", [])]))
        #expect(check == "corrupt zlib data (incorrect data check)")
        // More data than 3×2 pixels, or the stream's checksum cut off: it does not end where the image does.
        let tooMuch = zlib([0, 1, 2, 3, 0, 4, 5, 6, 0, 7, 8, 9])
        let noCheck = Array(zlib([0, 1, 2, 3, 0, 4, 5, 6]).dropLast(4))
        for data in [tooMuch, noCheck] {
            let reason = failure(pngFile([head, ("IDAT", data), ("IEND", [])]))
            #expect(
                reason?.contains("corrupt or truncated zlib data: the stream does not end after the 8 bytes") == true)
        }
    }

    @Test func rejectsTruncatedPNGPixels() {
        let head = ("IHDR", ihdr(width: 3, height: 2))
        let short = failure(pngFile([head, ("IDAT", zlib([0, 1, 2, 3, 0])), ("IEND", [])]))
        #expect(short?.contains("truncated pixel data: the zlib stream holds 5 of the 8 bytes") == true)
        let whole = zlib([0, 1, 2, 3, 0, 4, 5, 6])
        let cut = failure(pngFile([head, ("IDAT", Array(whole[..<(whole.count - 6)])), ("IEND", [])]))
        #expect(cut?.contains("truncated pixel data") == true)
    }

    @Test func rejectsAnUnknownRowFilter() {
        let reason = failure(png(width: 3, height: 2, raw: [0, 1, 2, 3, 5, 4, 5, 6]))
        #expect(reason == "unknown row filter 5 in row 1 (PNG filters are 0...4)")
    }

    @Test func neverTrapsOnDamagedBytes() {
        let files = [
            png(width: width, height: height, raw: filtered(pixels, width: width, filters: [1, 2, 3, 4, 0, 4])),
            pgm(" 7 6 255\n", pixels),
        ]
        var generator = SeededGenerator(seed: 7)
        for file in files {
            for _ in 0..<500 {
                var damaged = file
                for _ in 0..<Int.random(in: 1...4, using: &generator) {
                    damaged[Int.random(in: 0..<damaged.count, using: &generator)] = UInt8.random(
                        in: 0...255, using: &generator)
                }
                do {
                    _ = try GreyImage.decode(damaged, source: "d", width: width, height: height)
                } catch {
                    #expect(error is TripletError)
                }
            }
        }
    }
}
