import Foundation
import TripletCore

/// The fingerprint of a trained model: FNV-1a 64 of the bytes of its `model.safetensors`, as 16 hex
/// digits. Two galleries agree on a model exactly when their fingerprints are equal.
public enum ModelFingerprint {
    /// The fingerprint of the model folder `directory` (its `model.safetensors`); throws a clear error
    /// when the file cannot be read.
    public static func of(directory: URL) throws -> String {
        let file = directory.appendingPathComponent("model.safetensors")
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw TripletError.invalidParameter(
                name: "--model", value: directory.path, expected: "a folder holding a readable model.safetensors")
        }
        return of(bytes: data)
    }

    /// The FNV-1a 64 hash of `bytes`, as 16 hex digits.
    public static func of(bytes: Data) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        bytes.withUnsafeBytes { raw in
            for byte in raw {
                hash ^= UInt64(byte)
                hash = hash &* 0x0000_0100_0000_01b3
            }
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
