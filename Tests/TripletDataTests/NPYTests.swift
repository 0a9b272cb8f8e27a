import Foundation
import Testing

@testable import TripletCore
@testable import TripletData

@Suite("NPY")
struct NPYTests {
    /// What `numpy.save` writes before the data: magic, version 1.0, length, the dictionary padded to 128.
    func numpyPreamble(_ dictionary: String) -> [UInt8] {
        let header = dictionary + String(repeating: " ", count: 117 - dictionary.utf8.count) + "\n"
        return [0x93] + Array("NUMPY".utf8) + [1, 0, 118, 0] + Array(header.utf8)
    }

    @Test func encodesExactlyAsNumPy() throws {
        let tensor = try Tensor(shape: [2, 3], scalars: [0, 1, 2, 3, 4, 5])
        let expected =
            numpyPreamble("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }")
            + tensor.scalars.flatMap { littleEndian($0.bitPattern) }
        #expect(NPY.encode(tensor) == expected)
        let labels =
            numpyPreamble("{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }")
            + [3, 1, 2].flatMap { littleEndian(Int64($0)) }
        #expect(try NPY.encode(integers: [3, 1, 2], shape: [3]) == labels)
    }

    @Test func roundTripsThroughFiles() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let tensor = try Tensor(shape: [4, 2, 3], scalars: (0..<24).map { Float($0) * 0.37 - 3 })
        let file = folder.url.appendingPathComponent("e.npy")
        try NPY.write(tensor, to: file)
        #expect(try NPY.readTensor(contentsOf: file) == tensor)
        #expect(try NPY.read(contentsOf: file) == .float(tensor))
        // Overwriting replaces the file and leaves no temporary behind.
        try NPY.write(Tensor(shape: [], scalars: [7]), to: file)
        #expect(try NPY.readTensor(contentsOf: file) == Tensor(shape: [], scalars: [7]))
        let labels = [5, -1, Int.max, 0]
        let labelFile = folder.url.appendingPathComponent("l.npy")
        try NPY.write(labels: labels, to: labelFile)
        #expect(try NPY.readLabels(contentsOf: labelFile) == labels)
        try NPY.write(integers: [1, 2, 3, 4, 5, 6], shape: [3, 2], to: labelFile)
        #expect(try NPY.read(contentsOf: labelFile) == .integer(shape: [3, 2], values: [1, 2, 3, 4, 5, 6]))
        #expect(try NPY.readTensor(contentsOf: labelFile).shape == [3, 2])
        #expect(throws: TripletError.self) { try NPY.readLabels(contentsOf: labelFile) }
        #expect(throws: TripletError.self) { try NPY.readLabels(contentsOf: file) }
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.url.path).sorted()
        #expect(names == ["e.npy", "l.npy"])
        #expect(try NPY.read(contentsOf: file).shape == [])
    }

    @Test func writeIntoAMissingFolderThrows() throws {
        let target = URL(fileURLWithPath: "/nonexistent/folder/x.npy")
        #expect(throws: TripletError.self) { try NPY.write(labels: [1], to: target) }
        #expect(throws: TripletError.self) { try NPY.encode(integers: [1, 2], shape: [3]) }
    }

    @Test func readsEverySupportedDtype() throws {
        func file(_ descr: String, _ shape: String, _ data: [UInt8]) -> [UInt8] {
            let text = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }"
            return numpyPreamble(text) + data
        }
        #expect(
            try NPY.decode(
                file("<f8", "(2,)", littleEndian(Double(0.5).bitPattern) + littleEndian(Double(-3).bitPattern)),
                source: "f8") == .float(Tensor(shape: [2], scalars: [0.5, -3])))
        #expect(
            try NPY.decode(file(">f4", "()", bigEndian(Float(2.5).bitPattern)), source: "bf4")
                == .float(Tensor(shape: [], scalars: [2.5])))
        let integerCases: [(String, [UInt8], [Int])] = [
            ("<i4", littleEndian(Int32(-7)) + littleEndian(Int32(9)), [-7, 9]),
            (">i4", bigEndian(Int32(1)) + bigEndian(Int32(2)), [1, 2]),
            ("|u1", [255, 0], [255, 0]),
            ("|i1", [255, 1], [-1, 1]),
            ("<i2", littleEndian(Int16(-300)) + littleEndian(Int16(5)), [-300, 5]),
            ("<u2", littleEndian(UInt16(65535)) + littleEndian(UInt16(5)), [65535, 5]),
            ("<u4", littleEndian(UInt32.max) + littleEndian(UInt32(0)), [Int(UInt32.max), 0]),
            ("<u8", littleEndian(UInt64(12)) + littleEndian(UInt64(0)), [12, 0]),
            ("|b1", [1, 0], [1, 0]),
        ]
        for (descr, data, values) in integerCases {
            #expect(try NPY.decode(file(descr, "(2,)", data), source: descr) == .integer(shape: [2], values: values))
        }
        let tooBig = file("<u8", "(1,)", littleEndian(UInt64.max))
        #expect(
            corruptReason { _ = try NPY.decode(tooBig, source: "u8") }?.reason.contains("does not fit in Int") == true)
    }

    @Test func readsVersion2Headers() throws {
        let text = "{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }"
        let header = text + String(repeating: " ", count: 128 - 12 - text.utf8.count - 1) + "\n"
        let bytes =
            [0x93] + Array("NUMPY".utf8) + [2, 0] + littleEndian(UInt32(header.utf8.count)) + Array(header.utf8)
            + littleEndian(Int64(42))
        #expect(try NPY.decode(bytes, source: "v2") == .integer(shape: [1], values: [42]))
    }

    @Test func rejectsEveryCorruption() throws {
        let good = try NPY.encode(integers: [1, 2, 3, 4, 5, 6], shape: [2, 3])
        func withHeader(_ dictionary: String, data: Int = 48) -> [UInt8] {
            numpyPreamble(dictionary) + [UInt8](repeating: 0, count: data)
        }
        let cases: [(String, [UInt8], String)] = [
            ("empty", [], "too short for an NPY header"),
            ("magic", [0x93] + Array("NUMPX".utf8) + good.dropFirst(6), "bad magic number"),
            ("version", Array(good[..<6]) + [4, 0] + good.dropFirst(8), "unsupported NPY format version 4.0"),
            ("header", Array(good[..<60]), "truncated header"),
            ("data", Array(good.dropLast(5)), "truncated data: the header's shape [2, 3] of '<i8' needs 48 bytes"),
            ("trailing", good + [0], "1 trailing bytes"),
            (
                "dtype", withHeader("{'descr': '<c8', 'fortran_order': False, 'shape': (2, 3), }"),
                "unsupported dtype '<c8'"
            ),
            (
                "f2", withHeader("{'descr': '<f2', 'fortran_order': False, 'shape': (2, 3), }"),
                "unsupported dtype '<f2'"
            ),
            ("fortran", withHeader("{'descr': '<i8', 'fortran_order': True, 'shape': (2, 3), }"), "Fortran"),
            (
                "shape", withHeader("{'descr': '<i8', 'fortran_order': False, 'shape': (3, 3), }"),
                "needs 72 bytes of data, the file has 48"
            ),
            (
                "structured", withHeader("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }"),
                "malformed header"
            ),
            ("no shape", withHeader("{'descr': '<i8', 'fortran_order': False, }"), "no 'shape'"),
            (
                "extra key", withHeader("{'descr': '<i8', 'fortran_order': False, 'shape': (6,), 'x': 1}"),
                "unexpected header key 'x'"
            ),
            (
                "garbage", withHeader("{'descr': '<i8', 'fortran_order': False, 'shape': (6,), } xyz"),
                "malformed header"
            ),
            (
                "negative", withHeader("{'descr': '<i8', 'fortran_order': False, 'shape': (-6,), }"),
                "negative dimension"
            ),
            ("unclosed", withHeader("{'descr': '<i8, 'fortran_order': False"), "malformed header"),
        ]
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        for (name, bytes, expected) in cases {
            let file = try folder.write(bytes, to: "\(name).npy")
            let failure = corruptReason { _ = try NPY.read(contentsOf: file) }
            #expect(failure?.path == file.path)
            #expect(failure?.reason.contains(expected) == true, "\(name): \(String(describing: failure))")
        }
        let missing = corruptReason { _ = try NPY.read(contentsOf: folder.url.appendingPathComponent("none.npy")) }
        #expect(missing?.reason == "no such file")
    }
}
