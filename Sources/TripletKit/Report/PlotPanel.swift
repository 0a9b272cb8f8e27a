/// One plot area of a chart: its scales, and the frame, grid, ticks, tick labels, axis labels and title
/// drawn around it.
struct PlotPanel {
    /// The horizontal and vertical scales (pixels of the whole SVG).
    let x: LinearScale, y: LinearScale
    /// The plot area.
    let left: Double, top: Double, width: Double, height: Double

    init(left: Double, top: Double, width: Double, height: Double, x: LinearScale, y: LinearScale) {
        self.left = left
        self.top = top
        self.width = width
        self.height = height
        self.x = x
        self.y = y
    }

    var right: Double { left + width }
    var bottom: Double { top + height }

    /// Grid lines, the frame, ticks with labels, the axis labels and the title.
    func drawAxes(into svg: inout SVGBuilder, title: String?, xLabel: String, yLabel: String) {
        for t in y.ticks {
            let py = y(t)
            svg.line(left, py, right, py, class: "grid")
            svg.line(left - 4, py, left, py, class: "tick")
            svg.text(y.label(t), left - 7, py + 4, anchor: "end", class: "tick-label")
        }
        for t in x.ticks {
            let px = x(t)
            svg.line(px, top, px, bottom, class: "grid")
            svg.line(px, bottom, px, bottom + 4, class: "tick")
            svg.text(x.label(t), px, bottom + 17, class: "tick-label")
        }
        svg.rect(left, top, width, height, #"class="frame""#)
        svg.text(xLabel, left + width / 2, bottom + 36, class: "axis-label")
        // Left of the widest tick label (about 6.5 px a character at 11 px).
        let widest = y.ticks.map { y.label($0).count }.max() ?? 1
        svg.text(yLabel, left - 18 - 6.5 * Double(widest), top + height / 2, class: "axis-label", rotate: -90)
        if let title { svg.text(title, left + width / 2, top - 10, class: "panel-title") }
    }
}
