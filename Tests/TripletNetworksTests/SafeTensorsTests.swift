import Foundation
import Testing
import TripletCore

@testable import TripletNetworks

@Suite("SafeTensors")
struct SafeTensorsTests {
    let tensors: [(String, Tensor)] = [
        ("layers.0.weight", formula([2, 3], 1, 0, 1)), ("layers.0.bias", formula([2], 2, 0, 1)),
        ("layers.1.num_batches_tracked", try! Tensor(shape: [], scalars: [7])),
        ("empty", try! Tensor(shape: [0, 4], scalars: [])), ("odd \"name\"\n", formula([1], 1, 1, 1)),
    ]

    func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("safetensors-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A file from a header string and data bytes.
    func file(_ header: String, data: [UInt8] = []) -> Data {
        var bytes = Data()
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: Array(header.utf8))
        bytes.append(contentsOf: data)
        return bytes
    }

    @Test func roundTripThroughAFile() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("model.safetensors")
        try SafeTensors.write(tensors, metadata: ["format": "pt", "epoch": "3"], to: url)
        try SafeTensors.write(tensors, metadata: ["format": "pt", "epoch": "3"], to: url)  // replaces
        let read = try SafeTensors.read(from: url)
        #expect(read.tensors.map(\.0) == tensors.map(\.0))
        #expect(read.tensors.map(\.1) == tensors.map(\.1))
        #expect(read.metadata == ["format": "pt", "epoch": "3"])
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(leftovers == ["model.safetensors"], "no temporary file is left behind")
        let data = try Data(contentsOf: url)
        let headerLength = data.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
        #expect((8 + headerLength) % 8 == 0, "data starts 8-byte aligned")
    }

    @Test func writeToAMissingFolderThrows() {
        let url = URL(fileURLWithPath: "/nonexistent-\(UUID().uuidString)/model.safetensors")
        #expect(throws: TripletError.self) { try SafeTensors.write(tensors, to: url) }
        #expect(throws: TripletError.self) { try SafeTensors.read(from: url) }
        #expect(throws: TripletError.self) { try SafeTensors.encode([tensors[0], tensors[0]]) }
        #expect(throws: TripletError.self) { try SafeTensors.encode([("__metadata__", tensors[0].1)]) }
    }

    @Test func readsOtherDtypes() throws {
        // F64 1.5, I64 −3, F16 0.5 (0x3800), BF16 −2 (0xC000), U8 200, BOOL true.
        var data: [UInt8] = []
        withUnsafeBytes(of: Double(1.5).bitPattern.littleEndian) { data += $0 }
        withUnsafeBytes(of: Int64(-3).littleEndian) { data += $0 }
        data += [0x00, 0x38, 0x00, 0xC0, 200, 1]
        let header = """
            {"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},"b":{"dtype":"I64","shape":[],"data_offsets":[8,16]},\
            "c":{"dtype":"F16","shape":[1],"data_offsets":[16,18]},"d":{"dtype":"BF16","shape":[1],"data_offsets":[18,20]},\
            "e":{"dtype":"U8","shape":[1],"data_offsets":[20,21]},"f":{"dtype":"BOOL","shape":[1],"data_offsets":[21,22]}}
            """
        let read = try SafeTensors.decode(file(header, data: data))
        #expect(read.tensors.map(\.1.scalars) == [[1.5], [-3], [0.5], [-2], [200], [1]])
        #expect(read.tensors[1].1.shape == [])
    }

    /// Each corruption, with a word its message must contain.
    static let corruptions: [(String, Data, String)] = {
        let t = SafeTensorsTests()
        let good = try! SafeTensors.encode([("w", formula([2, 2], 1, 0, 1)), ("b", formula([2], 1, 0, 1))])
        let entry = { (dtype: String, shape: String, offsets: String) in
            "{\"w\":{\"dtype\":\"\(dtype)\",\"shape\":\(shape),\"data_offsets\":\(offsets)}}"
        }
        var huge = Data()
        withUnsafeBytes(of: UInt64(1 << 40).littleEndian) { huge.append(contentsOf: $0) }
        return [
            ("empty file", Data(), "truncated"),
            ("7 bytes", Data([1, 2, 3, 4, 5, 6, 7]), "truncated"),
            ("header length past the end", good.prefix(40), "past the end"),
            ("huge header length", huge + Data(repeating: 0x20, count: 16), "limit"),
            ("data cut short", good.dropLast(4), "outside"),
            ("bad JSON", t.file("{\"w\": [1, 2"), "JSON"),
            ("not an object", t.file("[1, 2, 3]"), "object"),
            ("entry not an object", t.file("{\"w\": 3}"), "not an object"),
            ("unknown dtype", t.file(entry("Q8", "[1]", "[0,1]"), data: [0]), "unknown dtype"),
            ("missing dtype", t.file("{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", data: [0, 0, 0, 0]), "dtype"),
            ("negative shape", t.file(entry("F32", "[-1]", "[0,4]"), data: [0, 0, 0, 0]), "shape"),
            ("fractional shape", t.file(entry("F32", "[1.5]", "[0,4]"), data: [0, 0, 0, 0]), "shape"),
            ("three offsets", t.file(entry("F32", "[1]", "[0,4,8]"), data: [0, 0, 0, 0]), "data_offsets"),
            ("offsets reversed", t.file(entry("F32", "[1]", "[4,0]"), data: [0, 0, 0, 0]), "outside"),
            ("offsets out of range", t.file(entry("F32", "[1]", "[0,8]"), data: [0, 0, 0, 0]), "outside"),
            ("byte count ≠ shape", t.file(entry("F32", "[2]", "[0,4]"), data: [0, 0, 0, 0]), "byte count"),
            (
                "overlapping",
                t.file(
                    "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
                    data: [UInt8](repeating: 0, count: 8)), "overlaps"
            ),
            ("gap", t.file(entry("F32", "[1]", "[4,8]"), data: [UInt8](repeating: 0, count: 8)), "no tensor"),
            ("trailing bytes", t.file(entry("F32", "[1]", "[0,4]"), data: [UInt8](repeating: 0, count: 6)), "after"),
            ("metadata not strings", t.file("{\"__metadata__\":{\"epoch\":3}}"), "__metadata__"),
        ]
    }()

    @Test(arguments: corruptions.indices)
    func corruptFileThrowsNamingFileAndProblem(index: Int) {
        let (what, data, word) = Self.corruptions[index]
        let error = #expect(throws: TripletError.self, "\(what)") {
            try SafeTensors.decode(data, path: "/x/m.safetensors")
        }
        guard case .corruptFile(let path, let reason)? = error else {
            Issue.record("\(what): expected .corruptFile, got \(String(describing: error))")
            return
        }
        #expect(path == "/x/m.safetensors")
        #expect(reason.contains(word), "\(what): \(reason)")
    }

    @Test func corruptFileOnDiskNamesThePath() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("broken.safetensors")
        try Data([1, 2, 3]).write(to: url)
        let error = #expect(throws: TripletError.self) { try SafeTensors.read(from: url) }
        #expect(error.map { "\($0)".contains(url.path) } == true)
    }
}

/// Interoperability with Python's `safetensors` (run by Benchmarks/reference/safetensors_interop.py, which
/// sets TRIPLETKIT_SAFETENSORS_DIR): writes a ConvNet's state dict for Python to load, and reads back the
/// file Python wrote from it.
@Suite(
    "SafeTensors interop",
    .enabled(if: ProcessInfo.processInfo.environment["TRIPLETKIT_SAFETENSORS_DIR"] != nil))
struct SafeTensorsInteropTests {
    let folder = URL(fileURLWithPath: ProcessInfo.processInfo.environment["TRIPLETKIT_SAFETENSORS_DIR"] ?? "/tmp")

    @Test func writeForPython() throws {
        let net = try Sequential(
            [
                .conv2d(inChannels: 1, outChannels: 4, kernel: 3, stride: 1, padding: 0, bias: true),
                .batchNorm2d(channels: 4, eps: 1e-5, momentum: 0.1), .relu, .flatten,
                .dense(inputs: 4 * 4 * 4, outputs: 3, bias: true),
            ], seed: 1)
        try SafeTensors.write(
            net.stateDict(), metadata: ["epoch": "3"], to: folder.appendingPathComponent("swift.safetensors"))
    }

    @Test func readFromPython() throws {
        let url = folder.appendingPathComponent("python.safetensors")
        guard FileManager.default.fileExists(atPath: url.path) else { return }
        let file = try SafeTensors.read(from: url)
        let net = try Sequential(
            [
                .conv2d(inChannels: 1, outChannels: 4, kernel: 3, stride: 1, padding: 0, bias: true),
                .batchNorm2d(channels: 4, eps: 1e-5, momentum: 0.1), .relu, .flatten,
                .dense(inputs: 4 * 4 * 4, outputs: 3, bias: true),
            ], seed: 2)
        try net.load(stateDict: file.tensors)
        let expected = try Sequential(net.specs, seed: 1).stateDict()
        for ((name, got), (_, want)) in zip(net.stateDict(), expected) {
            #expect(got == want || name.hasSuffix("num_batches_tracked"), "\(name)")
        }
        #expect(file.metadata["source"] == "python")
        print("read \(file.tensors.count) tensors written by Python: \(file.tensors.map(\.0))")
    }
}
