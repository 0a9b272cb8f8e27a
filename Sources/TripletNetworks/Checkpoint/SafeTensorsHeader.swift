import Foundation
import TripletCore

/// The parsed JSON header of a safetensors file, its tensor entries sorted by data offset.
struct SafeTensorsHeader {
    /// One tensor's declared layout.
    struct Entry {
        let name: String
        let dtype: SafeTensorsDType
        let shape: [Int]
        let offsets: (Int, Int)
    }

    let entries: [Entry]
    let metadata: [String: String]

    /// Parses `bytes`; every problem becomes `corrupt(reason)`.
    static func parse(_ bytes: Data, corrupt: (String) -> TripletError) throws -> SafeTensorsHeader {
        guard bytes.first == UInt8(ascii: "{") else { throw corrupt("the header is not a JSON object") }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: bytes)
        } catch {
            throw corrupt("the header is not valid JSON")
        }
        guard let root = object as? [String: Any] else { throw corrupt("the header is not a JSON object") }
        var metadata: [String: String] = [:]
        var entries: [Entry] = []
        for (name, value) in root {
            if name == "__metadata__" {
                guard let pairs = value as? [String: Any] else { throw corrupt("__metadata__ is not an object") }
                for (key, item) in pairs {
                    guard let text = item as? String else { throw corrupt("__metadata__ \"\(key)\" is not a string") }
                    metadata[key] = text
                }
                continue
            }
            guard let info = value as? [String: Any] else { throw corrupt("tensor \"\(name)\" is not an object") }
            guard let dtypeName = info["dtype"] as? String else { throw corrupt("tensor \"\(name)\" has no dtype") }
            guard let dtype = SafeTensorsDType(rawValue: dtypeName) else {
                throw corrupt(
                    "tensor \"\(name)\" has unknown dtype \"\(dtypeName)\" (known: \(SafeTensorsDType.allCases.map(\.rawValue).joined(separator: ", ")))"
                )
            }
            guard let shape = integers(info["shape"]), shape.allSatisfy({ $0 >= 0 }) else {
                throw corrupt("tensor \"\(name)\" has no valid shape (a list of integers >= 0)")
            }
            guard let offsets = integers(info["data_offsets"]), offsets.count == 2, offsets.allSatisfy({ $0 >= 0 })
            else {
                throw corrupt("tensor \"\(name)\" has no valid data_offsets (two integers >= 0)")
            }
            entries.append(Entry(name: name, dtype: dtype, shape: shape, offsets: (offsets[0], offsets[1])))
        }
        entries.sort { ($0.offsets.0, $0.offsets.1, $0.name) < ($1.offsets.0, $1.offsets.1, $1.name) }
        return SafeTensorsHeader(entries: entries, metadata: metadata)
    }

    /// The whole numbers of a JSON array, or nil if it is not one.
    private static func integers(_ value: Any?) -> [Int]? {
        guard let array = value as? [Any] else { return nil }
        var result: [Int] = []
        for item in array {
            guard let number = item as? NSNumber else { return nil }
            let double = number.doubleValue
            guard double.rounded() == double, abs(double) < 9.0e15 else { return nil }
            result.append(number.intValue)
        }
        return result
    }
}
