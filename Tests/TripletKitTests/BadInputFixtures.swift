import Foundation
import TripletKit

/// Tiny good and damaged input files for the command-line bad-input corpus, written into one folder:
/// features and labels (NPY), a CSV, IDX files, images, a trained model folder and an index, and each
/// of them truncated, garbled or with sizes its bytes cannot hold.
struct BadInputFixtures {
    /// The folder holding every file.
    let root: URL

    /// The path of `name` in the folder.
    func path(_ name: String) -> String { root.appendingPathComponent(name).path }

    /// Writes every fixture into `root`, then trains the model folder `model` from the good features.
    init(root: URL) throws {
        self.root = root
        var random = SeededGenerator(seed: 7)
        let features = try Tensor(shape: [24, 4], scalars: (0..<96).map { _ in Float(random.nextNormal()) })
        let labels = (0..<24).map { $0 % 4 }
        let good = NPY.encode(features)
        try write("x.npy", good)
        try write("y.npy", try NPY.encode(integers: labels, shape: [24]))
        try write("y-short.npy", try NPY.encode(integers: Array(labels.prefix(5)), shape: [5]))
        try write("y-2d.npy", try NPY.encode(integers: labels, shape: [4, 6]))
        try write("y-fraction.npy", NPY.encode(try Tensor(shape: [24], scalars: (0..<24).map { Float($0) + 0.5 })))
        try write(
            "x-nan.npy", NPY.encode(try Tensor(shape: [24, 4], scalars: [Float.nan] + features.scalars.dropFirst())))
        try write("x-1d.npy", NPY.encode(try Tensor(shape: [24], scalars: Array(features.scalars.prefix(24)))))
        try write("x-3wide.npy", NPY.encode(try Tensor(shape: [2, 3], scalars: [0, 1, 2, 3, 4, 5])))
        try write("x-truncated.npy", Array(good.prefix(good.count / 2)))
        try write("x-header-only.npy", Array(good.prefix(20)))
        try write("garbage.bin", (0..<300).map { _ in UInt8.random(in: 0...255, using: &random) })
        try write("empty.bin", [])
        try write(
            "x-huge-shape.npy",
            Self.npy(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (1099511627776, 4), }"))
        try write(
            "x-overflow-shape.npy",
            Self.npy(
                header:
                    "{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 4611686018427387904), }"))
        try write("x-bad-dtype.npy", Self.npy(header: "{'descr': '<c16', 'fortran_order': False, 'shape': (1,), }"))
        var hugeHeaderLength = good
        hugeHeaderLength[6] = 2  // version 2.0: a 4-byte header length
        hugeHeaderLength.replaceSubrange(8..<10, with: [0xff, 0xff, 0xff, 0x7f])
        try write("x-header-length.npy", hugeHeaderLength)

        try write("good.csv", Array("a,b,label\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n".utf8))
        try write("ragged.csv", Array("a,b,label\n1,2,0\n3,1\n5,6,0,9\n".utf8))
        try write("text.csv", Array("a,b,label\n1,x,0\n3,4,1\n".utf8))
        try write("unclosed.csv", Array("a,b,label\n\"1,2,0\n".utf8))
        try write("triplets.txt", Array("0,1,2\n0,1\n".utf8))
        try write(
            "architecture-huge.json",
            Array(#"[{"flatten": {}}, {"dense": {"inputs": 4, "outputs": 1099511627776}}]"#.utf8))
        try write("architecture-bad.json", Array(#"[{"dense": "#.utf8))

        // IDX: a data folder whose Fashion-MNIST files are damaged in different ways.
        let idx = root.appendingPathComponent("idx")
        try FileManager.default.createDirectory(at: idx, withIntermediateDirectories: true)
        try write("idx/train-images-idx3-ubyte", [0, 0, 8, 3, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 28, 0, 0, 0, 28, 1, 2])
        try write("idx/train-labels-idx1-ubyte", [0, 0, 8, 1, 0, 0, 0, 4, 1, 2])
        try write("idx/t10k-images-idx3-ubyte.gz", [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3])
        try write("idx/t10k-labels-idx1-ubyte", [0x12, 0x34, 8, 1])

        // Images: a class folder per damage, and single files for --image.
        let png = try ImageEncoder.png(width: 8, height: 8, channels: 1, pixels: (0..<64).map { UInt8($0 * 3) })
        for (name, bytes) in [
            ("good.png", png), ("truncated.png", Array(png.prefix(png.count / 2))),
            ("huge.png", Self.withPNGSize(png, width: 30000, height: 30000)),
            ("garbage.png", Array("not an image at all".utf8)),
            ("huge.pgm", Array("P5 30000 30000 255\n".utf8) + [1, 2, 3]),
        ] {
            try write(name, bytes)
        }
        for (folder, damaged) in [("images-truncated", "truncated.png"), ("images-huge", "huge.png")] {
            for (label, file) in [("a", "good.png"), ("b", damaged)] {
                let classFolder = root.appendingPathComponent("\(folder)/\(label)")
                try FileManager.default.createDirectory(at: classFolder, withIntermediateDirectories: true)
                try FileManager.default.copyItem(
                    at: root.appendingPathComponent(file), to: classFolder.appendingPathComponent("0.png"))
            }
        }

        let index = try EmbeddingIndex(embeddings: features, labels: labels).encoded()
        try write("good.tkindex", index)
        try write("truncated.tkindex", Array(index.prefix(index.count - 9)))
        var flipped = index
        flipped[50] ^= 0x10
        try write("flipped.tkindex", flipped)
        var oversized = index
        oversized.replaceSubrange(16..<32, with: Self.littleEndian((1 << 40) - 1) + Self.littleEndian((1 << 24) - 1))
        try write("oversized.tkindex", oversized)

        try write("gallery-garbage.sqlite", Array(repeating: 0x5a, count: 4096))
    }

    /// Trains the tiny model folder "model" with the `triplet` executable, then copies it damaged: the
    /// sidecar garbled, cut short or holding a layer too large, the weights truncated or with a huge header length.
    func trainModels() throws {
        let trained = try TripletProcess.run([
            "train", "--features", path("x.npy"), "--feature-labels", path("y.npy"), "--model", "mlp", "--epochs",
            "1", "--batch-size", "8", "--samples-per-class", "2", "--split-classes", "none", "--no-report", "--out",
            path("model"),
        ])
        guard trained.status == 0 else { throw TripletError.corruptFile(path: path("model"), reason: trained.error) }
        let sidecar = try Data(contentsOf: root.appendingPathComponent("model/model.json"))
        let weights = try Data(contentsOf: root.appendingPathComponent("model/model.safetensors"))
        let text = String(decoding: sidecar, as: UTF8.self)
        var hugeHeader = weights
        hugeHeader.replaceSubrange(0..<8, with: Self.littleEndian(UInt64(1) << 62))
        for (name, json, safetensors) in [
            ("model-garbled-json", Data("{\"architecture\": [".utf8), weights),
            ("model-empty-json", Data(), weights),
            (
                "model-huge-layer",
                Data(text.replacingOccurrences(of: "\"outputs\" : 256", with: "\"outputs\" : 1099511627776").utf8),
                weights
            ),
            (
                "model-negative-layer",
                Data(text.replacingOccurrences(of: "\"outputs\" : 256", with: "\"outputs\" : -3").utf8), weights
            ),
            ("model-truncated-weights", sidecar, weights.prefix(weights.count / 2)),
            ("model-huge-header", sidecar, hugeHeader),
            ("model-garbage-weights", sidecar, Data((0..<64).map { UInt8($0) })),
        ] {
            let folder = root.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try json.write(to: folder.appendingPathComponent("model.json"))
            try safetensors.write(to: folder.appendingPathComponent("model.safetensors"))
        }
    }

    private func write(_ name: String, _ bytes: [UInt8]) throws {
        try Data(bytes).write(to: root.appendingPathComponent(name))
    }

    /// A version 1.0 NPY file with the given header dictionary and 16 bytes of data.
    static func npy(header: String) -> [UInt8] {
        var text = Array(header.utf8)
        text += [UInt8](repeating: 0x20, count: (64 - (10 + text.count + 1) % 64) % 64) + [0x0a]
        return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(text.count & 0xff), UInt8(text.count >> 8)] + text
            + [UInt8](repeating: 0, count: 16)
    }

    /// `png` with the width and height in its IHDR chunk replaced (the CRC left stale, as stb_image ignores it).
    static func withPNGSize(_ png: [UInt8], width: UInt32, height: UInt32) -> [UInt8] {
        var bytes = png
        bytes.replaceSubrange(16..<24, with: bigEndian(width) + bigEndian(height))
        return bytes
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] { withUnsafeBytes(of: value.bigEndian) { Array($0) } }
    static func littleEndian(_ value: UInt64) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }
}
