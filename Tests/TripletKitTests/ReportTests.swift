import Foundation
import Testing

@testable import TripletKit

/// The run report's building blocks on known data: the Jacobi eigen-decomposition, PCA, the PNG encoder and
/// axis ticks.
@Suite("Run report")
struct ReportTests {
    @Test func pcaFindsThePrincipalAxis() throws {
        // Points spread along (0.6, 0.8, 0) with little noise elsewhere.
        var generator = SeededGenerator(seed: 4)
        var scalars: [Float] = []
        for _ in 0..<500 {
            let t = 5 * generator.nextNormal()
            scalars += [1 + 0.6 * t + 0.1 * generator.nextNormal(), -2 + 0.8 * t, 0.1 * generator.nextNormal()]
        }
        let pca = try PrincipalComponents(fitting: try Tensor(shape: [500, 3], scalars: scalars), count: 2)
        #expect(abs(pca.axes[0][0] - 0.6) < 0.01 && abs(pca.axes[0][1] - 0.8) < 0.01 && abs(pca.axes[0][2]) < 0.01)
        #expect(pca.explainedFractions[0] > 0.99)
        #expect(abs(pca.mean[0] - 1) < 0.5 && abs(pca.mean[1] + 2) < 0.5)
        let projected = try pca.project(
            try Tensor(
                shape: [1, 3], scalars: [Float(pca.mean[0]) + 0.6, Float(pca.mean[1]) + 0.8, Float(pca.mean[2])]))
        #expect(abs(projected[0][0] - 1) < 0.01)
    }

    @Test func jacobiDecomposesSymmetricMatrices() throws {
        let small = try SymmetricEigen(matrix: [2, 1, 1, 2], size: 2)
        #expect(abs(small.values[0] - 3) < 1e-12 && abs(small.values[1] - 1) < 1e-12)
        #expect(
            abs(small.vectors[0][0] - 0.5.squareRoot()) < 1e-12 && abs(small.vectors[0][1] - 0.5.squareRoot()) < 1e-12)

        var generator = SeededGenerator(seed: 5)
        let size = 64
        var matrix = [Double](repeating: 0, count: size * size)
        for i in 0..<size {
            for j in 0...i {
                let value = Double(generator.nextNormal())
                (matrix[i * size + j], matrix[j * size + i]) = (value, value)
            }
        }
        let eigen = try SymmetricEigen(matrix: matrix, size: size)
        #expect(zip(eigen.values, eigen.values.dropFirst()).allSatisfy { $0 >= $1 })
        for (value, vector) in zip(eigen.values, eigen.vectors) {
            for i in 0..<size {
                let product = (0..<size).reduce(0.0) { $0 + matrix[i * size + $1] * vector[$1] }
                #expect(abs(product - value * vector[i]) < 1e-9)
            }
        }
        let dot = zip(eigen.vectors[0], eigen.vectors[1]).reduce(0.0) { $0 + $1.0 * $1.1 }
        #expect(abs(dot) < 1e-12)
        #expect(throws: TripletError.self) { try SymmetricEigen(matrix: [1, 2, 3, 4], size: 2) }
        #expect(throws: TripletError.self) { try SymmetricEigen(matrix: [1, 2, 3], size: 2) }
    }

    @Test func pngEncoderWritesStoredZlibWithChecksums() throws {
        #expect(Checksums.crc32(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(Checksums.adler32(Array("Wikipedia".utf8)) == 0x11E6_0398)
        let width = 300, height = 250  // 75,250 bytes of rows: two stored blocks
        let pixels = (0..<width * height).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let png = [UInt8](try PNGEncoder.grey(width: width, height: height, pixels: pixels))
        #expect(png.prefix(8) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        func u32(_ at: Int) -> Int { png[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        #expect(String(decoding: png[12..<16], as: UTF8.self) == "IHDR")
        #expect(u32(16) == width && u32(20) == height && png[24] == 8 && png[25] == 0)
        var chunks: [String] = [], zlib: [UInt8] = []
        var at = 8
        while at < png.count {
            let length = u32(at), type = String(decoding: png[at + 4..<at + 8], as: UTF8.self)
            #expect(UInt32(u32(at + 8 + length)) == Checksums.crc32(png[at + 4..<at + 8 + length]), "CRC of \(type)")
            if type == "IDAT" { zlib += png[at + 8..<at + 8 + length] }
            chunks.append(type)
            at += 12 + length
        }
        #expect(chunks == ["IHDR", "IDAT", "IEND"])
        // Inflate the stored blocks by hand.
        var raw: [UInt8] = [], offset = 2, final = false
        while !final {
            final = zlib[offset] & 1 == 1
            let length = Int(zlib[offset + 1]) | Int(zlib[offset + 2]) << 8
            #expect(Int(zlib[offset + 3]) | Int(zlib[offset + 4]) << 8 == ~length & 0xFFFF)
            raw += zlib[offset + 5..<offset + 5 + length]
            offset += 5 + length
        }
        #expect(raw.count == (width + 1) * height)
        #expect((0..<height).allSatisfy { raw[$0 * (width + 1)] == 0 })
        #expect(raw.enumerated().filter { $0.offset % (width + 1) != 0 }.map(\.element) == pixels)
        let adler = zlib[offset..<offset + 4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        #expect(adler == Checksums.adler32(raw))
        #expect(throws: TripletError.self) { try PNGEncoder.grey(width: 2, height: 2, pixels: [0]) }
    }

    @Test func ticksAreNiceAndInsideTheDomain() {
        let scale = LinearScale(0.8438, 0.8666, to: 0, 100, count: 4, bounds: 0...1)
        #expect(scale.step == 0.01 && scale.ticks == [0.84, 0.85, 0.86, 0.87])
        #expect(scale.ticks.first! >= scale.domain.lowerBound && scale.ticks.last! <= scale.domain.upperBound)
        #expect(scale.domain.lowerBound <= 0.8438 && scale.domain.upperBound >= 0.8666)
        #expect(scale.label(0.85) == "0.85")
        let flat = LinearScale(1, 1, to: 0, 100, bounds: 0...1)
        #expect(flat.domain.upperBound == 1 && flat.domain.lowerBound < 1)
        let epochs = LinearScale(0.7, 3.3, to: 0, 100, count: 6, integer: true, exact: true)
        #expect(epochs.ticks == [1, 2, 3])
    }
}
