/// The header dictionary of a `.npy` file, `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`,
/// parsed from its Python-literal text.
struct NPYHeader: Equatable {
    /// The dtype string, e.g. '<f4'.
    var descr: String
    /// Whether the data is column-major.
    var fortranOrder: Bool
    /// The dimensions.
    var shape: [Int]

    /// The header text NumPy writes for these fields (without padding or newline).
    var text: String {
        let dims = shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? "," : "")
        return "{'descr': '\(descr)', 'fortran_order': \(fortranOrder ? "True" : "False"), 'shape': (\(dims)), }"
    }

    /// Parses the dictionary; throws a message (without the file name) for anything else.
    init(parsing text: String) throws(NPYHeaderError) {
        var parser = LiteralParser(Array(text.utf8))
        let dictionary = try parser.dictionary()
        parser.skipSpaces()
        guard parser.atEnd else { throw NPYHeaderError("unexpected text after the header dictionary") }
        for key in dictionary.keys where !["descr", "fortran_order", "shape"].contains(key) {
            throw NPYHeaderError("unexpected header key '\(key)'")
        }
        guard case .string(let descr)? = dictionary["descr"] else {
            throw NPYHeaderError(
                dictionary["descr"] == nil
                    ? "the header has no 'descr'"
                    : "'descr' is not a simple dtype string (structured arrays are not supported)")
        }
        guard case .bool(let fortran)? = dictionary["fortran_order"] else {
            throw NPYHeaderError("the header has no boolean 'fortran_order'")
        }
        guard case .tuple(let shape)? = dictionary["shape"] else {
            throw NPYHeaderError("the header has no 'shape' tuple")
        }
        guard shape.allSatisfy({ $0 >= 0 }) else { throw NPYHeaderError("negative dimension in shape \(shape)") }
        self.init(descr: descr, fortranOrder: fortran, shape: shape)
    }

    /// A header from its fields.
    init(descr: String, fortranOrder: Bool, shape: [Int]) {
        self.descr = descr
        self.fortranOrder = fortranOrder
        self.shape = shape
    }
}

/// Why a header could not be parsed.
struct NPYHeaderError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

/// A value of the header's Python literal.
private enum LiteralValue: Equatable {
    case string(String)
    case bool(Bool)
    case tuple([Int])
    case integer(Int)
}

/// A recursive-descent parser for the subset of Python literals NPY headers use.
private struct LiteralParser {
    let bytes: [UInt8]
    var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { position == bytes.count }

    mutating func skipSpaces() {
        while position < bytes.count, [0x20, 0x09, 0x0a, 0x0d].contains(bytes[position]) { position += 1 }
    }

    mutating func expect(_ character: Character) throws(NPYHeaderError) {
        skipSpaces()
        guard position < bytes.count, bytes[position] == character.asciiValue else {
            let found = position < bytes.count ? "'\(Character(UnicodeScalar(bytes[position])))'" : "the end"
            throw NPYHeaderError("expected '\(character)' at offset \(position) of the header, found \(found)")
        }
        position += 1
    }

    mutating func peek(_ character: Character) -> Bool {
        skipSpaces()
        return position < bytes.count && bytes[position] == character.asciiValue
    }

    mutating func dictionary() throws(NPYHeaderError) -> [String: LiteralValue] {
        try expect("{")
        var result: [String: LiteralValue] = [:]
        while !peek("}") {
            guard case .string(let key) = try value() else {
                throw NPYHeaderError("a header key is not a string")
            }
            try expect(":")
            guard result.updateValue(try value(), forKey: key) == nil else {
                throw NPYHeaderError("duplicate header key '\(key)'")
            }
            if !peek(",") { break }
            try expect(",")
        }
        try expect("}")
        return result
    }

    mutating func value() throws(NPYHeaderError) -> LiteralValue {
        skipSpaces()
        guard position < bytes.count else { throw NPYHeaderError("the header ends in the middle of the dictionary") }
        switch bytes[position] {
        case UInt8(ascii: "'"), UInt8(ascii: "\""):
            let quote = bytes[position]
            position += 1
            let start = position
            while position < bytes.count, bytes[position] != quote { position += 1 }
            guard position < bytes.count else { throw NPYHeaderError("unterminated string in the header") }
            position += 1
            return .string(String(decoding: bytes[start..<position - 1], as: UTF8.self))
        case UInt8(ascii: "("):
            position += 1
            var items: [Int] = []
            while !peek(")") {
                guard case .integer(let item) = try value() else {
                    throw NPYHeaderError("the shape holds something other than integers")
                }
                items.append(item)
                if !peek(",") { break }
                try expect(",")
            }
            try expect(")")
            return .tuple(items)
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"):
            let start = position
            position += 1
            while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) {
                position += 1
            }
            // Python 2 wrote longs as 3L.
            let digits = String(decoding: bytes[start..<position], as: UTF8.self)
            if position < bytes.count, bytes[position] == UInt8(ascii: "L") { position += 1 }
            guard let number = Int(digits) else { throw NPYHeaderError("integer \(digits) is out of range") }
            return .integer(number)
        default:
            for (word, flag) in [("True", true), ("False", false)] where bytes[position...].starts(with: word.utf8) {
                position += word.utf8.count
                return .bool(flag)
            }
            throw NPYHeaderError("unexpected text at offset \(position) of the header")
        }
    }
}
