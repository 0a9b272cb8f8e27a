/// Splits CSV bytes into rows of fields, keeping each row's 1-based line number. Fields are trimmed of
/// spaces and tabs; a field in double quotes may hold the delimiter and doubled quotes (""), but not a
/// line break. Blank lines are skipped; "\r\n" line ends are accepted.
struct CSVRows {
    /// One non-blank line.
    struct Row {
        /// The 1-based line number in the file.
        let line: Int
        /// The fields, unquoted and trimmed.
        let fields: [String]
    }

    /// Why a line could not be split.
    struct Failure: Error {
        let line: Int
        let message: String
    }

    /// Every non-blank line of `bytes` split at `delimiter`.
    static func split(_ bytes: [UInt8], delimiter: UInt8) throws(Failure) -> [Row] {
        var rows: [Row] = []
        var line = 0
        var start = 0
        while start < bytes.count {
            line += 1
            var end = start
            while end < bytes.count, bytes[end] != 0x0a { end += 1 }
            var content = bytes[start..<end]
            if content.last == 0x0d { content = content.dropLast() }
            if !content.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
                rows.append(Row(line: line, fields: try fields(content, delimiter: delimiter, line: line)))
            }
            start = end + 1
        }
        return rows
    }

    /// The fields of one line.
    private static func fields(_ content: ArraySlice<UInt8>, delimiter: UInt8, line: Int) throws(Failure) -> [String] {
        var fields: [String] = []
        var field: [UInt8] = []
        var quoted = false
        var wasQuoted = false
        var i = content.startIndex
        while i < content.endIndex {
            let byte = content[i]
            if quoted {
                if byte == 0x22 {
                    if i + 1 < content.endIndex, content[i + 1] == 0x22 {
                        field.append(0x22)
                        i += 1
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(byte)
                }
            } else if byte == delimiter {
                fields.append(finish(field, wasQuoted))
                field.removeAll(keepingCapacity: true)
                wasQuoted = false
            } else if byte == 0x22, field.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
                field.removeAll(keepingCapacity: true)
                quoted = true
                wasQuoted = true
            } else {
                field.append(byte)
            }
            i += 1
        }
        guard !quoted else { throw Failure(line: line, message: "a quoted field is not closed before the line ends") }
        fields.append(finish(field, wasQuoted))
        return fields
    }

    /// A field's text: quoted text as is, unquoted text trimmed of spaces and tabs.
    private static func finish(_ field: [UInt8], _ wasQuoted: Bool) -> String {
        let text = String(decoding: field, as: UTF8.self)
        return wasQuoted ? text : text.trimmingSpaces
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        var view = Substring(self)
        while let first = view.first, first == " " || first == "\t" { view.removeFirst() }
        while let last = view.last, last == " " || last == "\t" { view.removeLast() }
        return String(view)
    }
}
