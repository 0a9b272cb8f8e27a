import Foundation

/// Accumulates the elements of one inline `<svg>` chart; styling comes from the report's CSS classes.
struct SVGBuilder {
    /// The chart's element id (the report's section markers).
    let id: String
    /// Its size in CSS pixels.
    let width: Double, height: Double
    /// What the chart shows, for screen readers.
    let label: String
    private var body = ""

    init(id: String, width: Double, height: Double, label: String) {
        self.id = id
        self.width = width
        self.height = height
        self.label = label
    }

    /// The finished `<svg>` element.
    var svg: String {
        """
        <svg id="\(id)" class="chart" width="\(n(width))" height="\(n(height))" \
        viewBox="0 0 \(n(width)) \(n(height))" role="img" aria-label="\(xmlEscaped(label))">\n\(body)</svg>
        """
    }

    /// Appends markup as it is.
    mutating func raw(_ markup: String) { body += markup + "\n" }

    mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, class name: String) {
        raw(#"<line class="\#(name)" x1="\#(n(x1))" y1="\#(n(y1))" x2="\#(n(x2))" y2="\#(n(y2))"/>"#)
    }

    mutating func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, _ attributes: String) {
        raw(#"<rect x="\#(n(x))" y="\#(n(y))" width="\#(n(w))" height="\#(n(h))" \#(attributes)/>"#)
    }

    /// A text; `anchor` is start, middle or end; `rotate` turns it about its anchor point.
    mutating func text(
        _ content: String, _ x: Double, _ y: Double, anchor: String = "middle", class name: String,
        rotate: Double? = nil
    ) {
        let turn = rotate.map { #" transform="rotate(\#(n($0)) \#(n(x)) \#(n(y)))""# } ?? ""
        raw(
            #"<text class="\#(name)" x="\#(n(x))" y="\#(n(y))" text-anchor="\#(anchor)"\#(turn)>"#
                + xmlEscaped(content) + "</text>")
    }

    /// A polyline through `points`.
    mutating func polyline(_ points: [(Double, Double)], _ attributes: String) {
        let list = points.map { "\(n($0.0)),\(n($0.1))" }.joined(separator: " ")
        raw(#"<polyline points="\#(list)" \#(attributes)/>"#)
    }
}

/// A coordinate with at most two decimals and no trailing zeros, for compact markup.
func n(_ value: Double) -> String {
    guard value.isFinite else { return "0" }
    let rounded = (value * 100).rounded() / 100
    if rounded == rounded.rounded() { return String(Int(rounded)) }
    return String(format: "%.2f", rounded).replacingOccurrences(of: #"0+$"#, with: "", options: .regularExpression)
}

/// `text` with the characters XML reserves escaped, for element content and attribute values.
func xmlEscaped(_ text: String) -> String {
    var out = ""
    for c in text {
        switch c {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        default: out.append(c)
        }
    }
    return out
}
