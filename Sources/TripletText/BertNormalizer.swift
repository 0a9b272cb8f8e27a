import Foundation

/// BERT's text normalisation and pre-tokenisation, as Hugging Face's `BertNormalizer` (clean text,
/// space around CJK ideographs, strip accents, lower-case) and `BertPreTokenizer` (split on whitespace,
/// punctuation as tokens of its own).
enum BertNormalizer {
    /// The words of `text`, normalised; `lowercase` also strips accents (Hugging Face's default).
    static func words(_ text: String, lowercase: Bool) -> [String] {
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar.value == 0 || scalar.value == 0xFFFD || isControl(scalar) { continue }
            if isWhitespace(scalar) {
                scalars.append(" ")
            } else if isCJK(scalar) {
                scalars.append(" ")
                scalars.append(scalar)
                scalars.append(" ")
            } else {
                scalars.append(scalar)
            }
        }
        var normalized = String(scalars)
        if lowercase {
            let stripped = normalized.decomposedStringWithCanonicalMapping.unicodeScalars.filter {
                $0.properties.generalCategory != .nonspacingMark
            }
            var lowered = String.UnicodeScalarView()
            for scalar in stripped { lowered.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars) }
            normalized = String(lowered)
        }
        return split(normalized)
    }

    /// Whitespace-separated runs, each punctuation scalar a word of its own.
    private static func split(_ text: String) -> [String] {
        var words: [String] = []
        var current = String.UnicodeScalarView()
        func flush() {
            if !current.isEmpty { words.append(String(current)) }
            current = String.UnicodeScalarView()
        }
        for scalar in text.unicodeScalars {
            if isWhitespace(scalar) {
                flush()
            } else if isPunctuation(scalar) {
                flush()
                words.append(String(scalar))
            } else {
                current.append(scalar)
            }
        }
        flush()
        return words
    }

    /// Tab, newline and carriage return count as whitespace, as does Unicode's White_Space property.
    static func isWhitespace(_ s: Unicode.Scalar) -> Bool { s.properties.isWhitespace }

    /// Other (Cc, Cf, Cn, Co, Cs) but not tab, newline or carriage return: removed by the cleaning.
    static func isControl(_ s: Unicode.Scalar) -> Bool {
        if s == "\t" || s == "\n" || s == "\r" { return false }
        switch s.properties.generalCategory {
        case .control, .format, .unassigned, .privateUse, .surrogate: return true
        default: return false
        }
    }

    /// ASCII punctuation and symbols, and Unicode's punctuation categories (P*).
    static func isPunctuation(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if (33...47).contains(v) || (58...64).contains(v) || (91...96).contains(v) || (123...126).contains(v) {
            return true
        }
        switch s.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
            .finalPunctuation, .otherPunctuation:
            return true
        default: return false
        }
    }

    /// CJK Unified Ideographs and their extensions and compatibility blocks (not kana or hangul).
    static func isCJK(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F, 0x2B740...0x2B81F,
            0x2B820...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default: return false
        }
    }
}
