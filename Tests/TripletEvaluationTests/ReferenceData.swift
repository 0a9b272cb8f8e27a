import Foundation
import TripletCore

/// The inputs and expected values written by `Benchmarks/reference/eval_reference.py` (PML 2.9.0,
/// scikit-learn) into the bundled `Reference` folder.
enum ReferenceData {
    enum Failure: Error { case missing(String), malformed(String) }

    static var folder: URL {
        get throws {
            guard let url = Bundle.module.url(forResource: "Reference", withExtension: nil) else {
                throw Failure.missing("the Reference resource folder")
            }
            return url
        }
    }

    /// The parsed `eval_reference.json`.
    static func json() throws -> [String: Any] {
        let data = try Data(contentsOf: try folder.appendingPathComponent("eval_reference.json"))
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw Failure.malformed("eval_reference.json")
        }
        return object
    }

    /// A little-endian NPY array (float32/64, int32/64 or bool) as Doubles, with its shape.
    static func npy(_ name: String) throws -> (shape: [Int], values: [Double]) {
        let bytes = [UInt8](try Data(contentsOf: try folder.appendingPathComponent(name)))
        guard bytes.count > 10, bytes[0] == 0x93, bytes[1...5].elementsEqual("NUMPY".utf8), bytes[6] == 1 else {
            throw Failure.malformed("\(name): not an NPY v1 file")
        }
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        let header = String(decoding: bytes[10..<10 + headerLength], as: UTF8.self)
        func field(_ key: String, _ terminator: Character) throws -> String {
            guard let start = header.range(of: "'\(key)': ") else { throw Failure.malformed("\(name): no \(key)") }
            return String(header[start.upperBound...].prefix { $0 != terminator })
        }
        let descr = try field("descr", ",").trimmingCharacters(in: CharacterSet(charactersIn: "'"))
        let shape = try field("shape", ")").dropFirst().split(separator: ",").map {
            Int($0.trimmingCharacters(in: .whitespaces))!
        }
        let count = shape.reduce(1, *)
        let body = Array(bytes[(10 + headerLength)...])
        func read<T: FixedWidthInteger>(_: T.Type, _ i: Int) -> T {
            let size = MemoryLayout<T>.size
            return (0..<size).reduce(T.zero) { $0 | T(truncatingIfNeeded: body[i * size + $1]) << ($1 * 8) }
        }
        let values: [Double]
        switch descr {
        case "<f4": values = (0..<count).map { Double(Float(bitPattern: read(UInt32.self, $0))) }
        case "<f8": values = (0..<count).map { Double(bitPattern: read(UInt64.self, $0)) }
        case "<i4": values = (0..<count).map { Double(Int32(bitPattern: read(UInt32.self, $0))) }
        case "<i8": values = (0..<count).map { Double(Int64(bitPattern: read(UInt64.self, $0))) }
        case "|b1": values = (0..<count).map { body[$0] != 0 ? 1 : 0 }
        default: throw Failure.malformed("\(name): dtype \(descr)")
        }
        return (shape, values)
    }

    static func tensor(_ name: String) throws -> Tensor {
        let (shape, values) = try npy(name)
        return try Tensor(shape: shape, scalars: values.map { Float($0) })
    }

    static func ints(_ name: String) throws -> [Int] { try npy(name).values.map { Int($0) } }

    static func bools(_ name: String) throws -> [Bool] { try npy(name).values.map { $0 != 0 } }

    static func doubles(_ name: String) throws -> [Double] { try npy(name).values }
}

extension Dictionary where Key == String, Value == Any {
    func double(_ key: String) -> Double? { (self[key] as? NSNumber)?.doubleValue }
    func string(_ key: String) -> String? { self[key] as? String }
    func object(_ key: String) -> [String: Any]? { self[key] as? [String: Any] }
    func objects(_ key: String) -> [[String: Any]] { self[key] as? [[String: Any]] ?? [] }
    func doubles(_ key: String) -> [Double] { (self[key] as? [NSNumber])?.map(\.doubleValue) ?? [] }
}
