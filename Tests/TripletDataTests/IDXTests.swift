import Foundation
import Testing

@testable import TripletCore
@testable import TripletData

@Suite("IDX")
struct IDXTests {
    @Test func readsPlainAndGzipFiles() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let elements: [UInt8] = (0..<24).map { UInt8($0 * 10) }
        let bytes = idxBytes(shape: [2, 3, 4], elements: elements)
        for file in [try folder.write(bytes, to: "a-idx3-ubyte"), try folder.write(gzipStored(bytes), to: "a.gz")] {
            let array = try IDX.read(contentsOf: file)
            #expect(array.dataType == .uint8)
            #expect(array.shape == [2, 3, 4])
            #expect(Array(array.data) == elements)
            #expect(array.floats() == elements.map(Float.init))
            #expect(try array.integers() == elements.map(Int.init))
            #expect(try array.tensor().shape == [2, 3, 4])
        }
    }

    @Test func readsEveryElementType() throws {
        let cases: [(IDXDataType, [UInt8], [Float])] = [
            (.int8, [0xff, 0x02], [-1, 2]),
            (.int16, [0xff, 0xfe, 0x01, 0x00], [-2, 256]),
            (.int32, [0xff, 0xff, 0xff, 0xfd, 0, 1, 0, 0], [-3, 65536]),
            (.float32, bigEndian(Float(1.5).bitPattern) + bigEndian(Float(-2).bitPattern), [1.5, -2]),
            (.float64, bigEndian(Double(0.25).bitPattern) + bigEndian(Double(-8).bitPattern), [0.25, -8]),
        ]
        for (type, elements, expected) in cases {
            let array = try IDX.decode(idxBytes(shape: [2], elements: elements, type: type.rawValue), source: "t")
            #expect(array.dataType == type)
            #expect(array.floats() == expected)
            if type.isInteger {
                #expect(try array.integers() == expected.map { Int($0) })
            } else {
                #expect(throws: TripletError.self) { try array.integers() }
            }
        }
    }

    @Test func encodeRoundTrips() throws {
        let array = try IDXArray(dataType: .int16, shape: [3, 1], data: [0, 1, 0, 2, 0xff, 0xff][...])
        #expect(try IDX.decode(IDX.encode(array), source: "r") == array)
        #expect(throws: TripletError.self) { try IDXArray(dataType: .int16, shape: [2], data: [1, 2, 3][...]) }
    }

    @Test func namesAMissingFile() {
        let failure = corruptReason { _ = try IDX.read(contentsOf: URL(fileURLWithPath: "/nonexistent/x-idx1-ubyte")) }
        #expect(failure?.path == "/nonexistent/x-idx1-ubyte")
        #expect(failure?.reason == "no such file")
    }

    @Test func rejectsEveryCorruption() throws {
        let good = idxBytes(shape: [2, 3], elements: [1, 2, 3, 4, 5, 6])
        let cases: [(String, [UInt8], String)] = [
            ("empty", [], "too short for an IDX header"),
            ("magic", [1] + good.dropFirst(), "bad magic number 01 00 08 02"),
            ("type", [0, 0, 0x07, 2] + good.dropFirst(4), "unsupported IDX data type 0x07"),
            ("header", Array(good[..<9]), "truncated header: 2 dimensions need 12 bytes, the file has 9"),
            (
                "short", Array(good.dropLast()),
                "truncated data: dimensions [2, 3] of unsigned bytes need 6 bytes, the file has 5"
            ),
            ("long", good + [0, 0], "2 trailing bytes after the 6 bytes that dimensions [2, 3]"),
            ("product", idxBytes(shape: [3, 3], elements: [1, 2, 3, 4, 5, 6]), "need 9 bytes, the file has 6"),
            (
                "huge", [0, 0, 8, 4] + [UInt32](repeating: 0xffff_ffff, count: 4).flatMap { bigEndian($0) },
                "too large"
            ),
        ]
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        for (name, bytes, expected) in cases {
            for compressed in [false, true] {
                let file = try folder.write(
                    compressed ? gzipStored(bytes) : bytes, to: "\(name)\(compressed ? ".gz" : "")")
                let failure = corruptReason { _ = try IDX.read(contentsOf: file) }
                #expect(failure?.path == file.path)
                #expect(failure?.reason.contains(expected) == true, "\(name): \(String(describing: failure))")
            }
        }
    }

    @Test func rejectsACorruptGzipFile() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let packed = gzipStored(idxBytes(shape: [4], elements: [1, 2, 3, 4]))
        let truncated = try folder.write(Array(packed.dropLast(3)), to: "t.gz")
        #expect(corruptReason { _ = try IDX.read(contentsOf: truncated) }?.reason.contains("truncated gzip") == true)
        var flipped = packed
        flipped[flipped.count - 8] ^= 1
        let corrupt = try folder.write(flipped, to: "c.gz")
        #expect(corruptReason { _ = try IDX.read(contentsOf: corrupt) }?.reason.contains("corrupt gzip") == true)
    }

    @Test func errorDescriptionNamesTheFile() {
        let error = TripletError.corruptFile(path: "/d/f.gz", reason: "truncated gzip stream")
        #expect(error.description == "cannot read /d/f.gz: truncated gzip stream")
    }
}
