import CStb
import CStbResize
import Foundation
import TripletCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Decodes image files with stb_image: PNG (8- and 16-bit, 16-bit reduced to 8), JPEG (baseline and
/// progressive), BMP, GIF (the first frame), binary PGM (P5) and PPM (P6) with maxval ≤ 255; the format
/// is told by the file's first bytes, not its name.
///
/// ```swift
/// let image = try ImageDecoder.read(contentsOf: URL(fileURLWithPath: "shoe.jpg"), channels: .rgb,
///                                   size: ImageSize(width: 64, height: 64))
/// image.pixels  // 3 × 64 × 64 intensities in 0...1, channel-planar (CHW)
/// ```
///
/// Intensities are the 8-bit levels divided by 255 (by maxval for PGM/PPM). An alpha channel is dropped
/// (not composited). Resizing uses stb_image_resize with the triangle (tent) filter in linear colour space,
/// edges clamped: bilinear interpolation when enlarging and an area-weighted, antialiased average when
/// shrinking, the filter torchvision's `Resize` (bilinear, antialias) and Pillow's `BILINEAR` use.
public enum ImageDecoder {
    /// The most pixels an image may have (2³⁰); larger files are refused before anything is allocated.
    public static let maximumPixelCount = 1 << 30

    /// The most pixels a file may announce per byte it holds, beyond `pixelAllowance` (2¹⁴: above what
    /// deflate, LZW or JPEG reach on a blank image); a header announcing more is damaged, and is refused
    /// before anything is allocated.
    public static let maximumPixelsPerByte = 1 << 14

    /// The pixels any file may announce whatever its length (2²⁰).
    public static let pixelAllowance = 1 << 20

    /// The size and channels in the header of the image file at `url`, read without decoding the pixels.
    /// - Throws: `TripletError.corruptFile` naming the file when it is missing, unreadable, in another format,
    ///   has a damaged header, more than `maximumPixelCount` pixels or more than its length can hold.
    public static func info(contentsOf url: URL) throws -> ImageInfo {
        let path = url.path
        guard let file = fopen(path, "rb") else {
            throw TripletError.corruptFile(
                path: path, reason: errno == ENOENT ? "no such file" : String(cString: strerror(errno)))
        }
        defer { fclose(file) }
        var width: Int32 = 0, height: Int32 = 0, channels: Int32 = 0
        guard stbi_info_from_file(file, &width, &height, &channels) != 0 else {
            throw TripletError.corruptFile(path: path, reason: failureReason())
        }
        var status = stat()
        let fileSize = fstat(fileno(file), &status) == 0 ? Int(status.st_size) : Int.max
        return try checked(
            ImageInfo(width: Int(width), height: Int(height), channels: Int(channels)), fileSize: fileSize,
            source: path)
    }

    /// The size and channels in the header of an image file's `bytes`; `source` names it in errors.
    public static func info(_ bytes: [UInt8], source: String) throws -> ImageInfo {
        guard !bytes.isEmpty else { throw TripletError.corruptFile(path: source, reason: "empty file") }
        guard bytes.count <= Int(Int32.max) else {
            throw TripletError.corruptFile(path: source, reason: "larger than 2 GiB")
        }
        _ = try formatChecks(bytes, source: source)
        var width: Int32 = 0, height: Int32 = 0, channels: Int32 = 0
        let found = bytes.withUnsafeBufferPointer {
            stbi_info_from_memory($0.baseAddress, Int32($0.count), &width, &height, &channels)
        }
        guard found != 0 else { throw TripletError.corruptFile(path: source, reason: failureReason()) }
        return try checked(
            ImageInfo(width: Int(width), height: Int(height), channels: Int(channels)), fileSize: bytes.count,
            source: source)
    }

    /// The image in the file at `url` with `channels` channels, resized to `size` when it is given and differs.
    /// - Throws: `TripletError.corruptFile` naming the file when it is missing, unreadable, truncated, damaged,
    ///   in another format or too large; `TripletError.invalidParameter` for a size that is not positive.
    public static func read(
        contentsOf url: URL, channels: ImageChannels = .automatic, size: ImageSize? = nil
    ) throws -> DecodedImage {
        try decode(FileIO.readBytes(url), source: url.path, channels: channels, size: size)
    }

    /// The image in an image file's `bytes`, as `read(contentsOf:channels:size:)` describes; `source` names
    /// it in errors.
    public static func decode(
        _ bytes: [UInt8], source: String, channels: ImageChannels = .automatic, size: ImageSize? = nil
    ) throws -> DecodedImage {
        try size?.validate()
        let header = try info(bytes, source: source)
        let count = channels.count(for: header)
        let output = size ?? header.size
        var pixels = [Float](repeating: 0, count: count * output.width * output.height)
        try pixels.withUnsafeMutableBufferPointer {
            try decode(bytes, source: source, channels: count, size: output, into: $0)
        }
        return DecodedImage(width: output.width, height: output.height, channels: count, pixels: pixels)
    }

    /// Decodes `bytes` into `output`, which holds `channels` (1 or 3) × `size` intensities, CHW; the image is
    /// resized when its own size differs from `size`, unless `resize` is false, when that is an error.
    static func decode(
        _ bytes: [UInt8], source: String, channels: Int, size: ImageSize, resize: Bool = true,
        into output: UnsafeMutableBufferPointer<Float>
    ) throws {
        precondition(channels == 1 || channels == 3, "channels \(channels)")
        precondition(output.count == channels * size.width * size.height, "output buffer of the wrong size")
        func corrupt(_ reason: String) -> TripletError { .corruptFile(path: source, reason: reason) }
        let header = try info(bytes, source: source)
        if !resize && header.size != size {
            throw corrupt("the image is \(header.size) pixels, \(size) expected")
        }
        let maxval = try formatChecks(bytes, source: source)
        var width: Int32 = 0, height: Int32 = 0, stored: Int32 = 0
        let loaded = bytes.withUnsafeBufferPointer {
            stbi_load_from_memory($0.baseAddress, Int32($0.count), &width, &height, &stored, Int32(channels))
        }
        guard let loaded else { throw corrupt(failureReason()) }
        defer { stbi_image_free(loaded) }
        guard Int(width) == header.width, Int(height) == header.height else {
            throw corrupt("the header says \(header.size), the pixel data \(width)×\(height)")
        }
        let plane = size.width * size.height
        let table = (0...255).map { min(1, Float($0) / Float(maxval)) }
        let pixelCount = header.width * header.height
        if header.size == size {
            // Interleaved bytes to channel planes, through a table of the 256 intensities.
            table.withUnsafeBufferPointer { table in
                for c in 0..<channels {
                    let out = output.baseAddress! + c * plane
                    for p in 0..<pixelCount { out[p] = table[Int(loaded[p * channels + c])] }
                }
            }
            return
        }
        let interleaved = [Float](unsafeUninitializedCapacity: pixelCount * channels) { buffer, initialized in
            table.withUnsafeBufferPointer { table in
                for i in 0..<pixelCount * channels { buffer[i] = table[Int(loaded[i])] }
            }
            initialized = pixelCount * channels
        }
        var resized = [Float](repeating: 0, count: plane * channels)
        let status = interleaved.withUnsafeBufferPointer { input in
            resized.withUnsafeMutableBufferPointer { out in
                tk_resize_float_triangle(
                    input.baseAddress, width, height, out.baseAddress, Int32(size.width), Int32(size.height),
                    Int32(channels))
            }
        }
        guard status != 0 else { throw corrupt("stb_image_resize could not resize it from \(header.size) to \(size)") }
        resized.withUnsafeBufferPointer { resized in
            for c in 0..<channels {
                let out = output.baseAddress! + c * plane
                for p in 0..<plane { out[p] = min(1, max(0, resized[p * channels + c])) }
            }
        }
    }

    /// What stb_image does not check: a binary PGM/PPM's header, pixel count and levels, a BMP's and a GIF's
    /// length;
    /// returns the largest level (maxval for PGM/PPM, else 255).
    private static func formatChecks(_ bytes: [UInt8], source: String) throws -> Int {
        do throws(ImageFileChecks.Failure) {
            if ImageFileChecks.isPNM(bytes) {
                let pnm = try ImageFileChecks.pnmHeader(bytes)
                if pnm.maxval < 255 {
                    let end = pnm.dataOffset + pnm.width * pnm.height * pnm.channels
                    if let bad = bytes[pnm.dataOffset..<end].firstIndex(where: { Int($0) > pnm.maxval }) {
                        throw ImageFileChecks.Failure(
                            "damaged pixel data: sample \(bad - pnm.dataOffset) is \(bytes[bad]), "
                                + "above the maxval \(pnm.maxval)")
                    }
                }
                return pnm.maxval
            }
            if ImageFileChecks.isBMP(bytes) { try ImageFileChecks.checkBMPLength(bytes) }
            if ImageFileChecks.isGIF(bytes) { try ImageFileChecks.checkGIFLength(bytes) }
            return 255
        } catch {
            throw TripletError.corruptFile(path: source, reason: error.reason)
        }
    }

    /// `info` when its size is positive, at most `maximumPixelCount` pixels and no more than a file of
    /// `fileSize` bytes can hold, else an error naming `source`.
    private static func checked(_ info: ImageInfo, fileSize: Int, source: String) throws -> ImageInfo {
        guard let pixels = info.size.pixelCount, (1...4).contains(info.channels) else {
            throw TripletError.corruptFile(
                path: source,
                reason:
                    "the header announces \(info.size) pixels: an image needs at least one and at most "
                    + "\(maximumPixelCount)")
        }
        let (perByte, overflow) = fileSize.multipliedReportingOverflow(by: maximumPixelsPerByte)
        guard overflow || pixels <= perByte + pixelAllowance else {
            throw TripletError.corruptFile(
                path: source,
                reason: "the header announces \(info.size) pixels, more than a \(fileSize)-byte file can hold: "
                    + "it is damaged or truncated")
        }
        return info
    }

    /// stb_image's reason for the last failure on this thread (its reason is thread-local), in words.
    static func failureReason() -> String {
        let reason = stbi_failure_reason().map { String(cString: $0) } ?? "unknown error"
        switch reason {
        case "unknown image type":
            return "not an image stb_image can read (PNG, JPEG, BMP, GIF, binary PGM/PPM): stb_image says '\(reason)'"
        default:
            return "damaged or truncated image data: stb_image says '\(reason)'"
        }
    }
}
