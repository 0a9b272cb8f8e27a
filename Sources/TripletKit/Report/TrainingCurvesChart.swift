/// Small multiples of the per-epoch metrics: loss, active-triplet fraction, P@1 and MAP@R, one `<svg>`
/// panel each inside a wrapping row (`div.panels`, whose id is the section's chart id): four across a
/// 1280-pixel window, fewer a row on a narrower one.
enum TrainingCurvesChart {
    /// The width of one panel in CSS pixels (four of them and the page margins fit in 1280 pixels).
    static let panelWidth = 290.0
    /// One metric: its title, colour, values per epoch, and whether it is a fraction (kept within 0...1).
    private struct Series {
        let title: String, color: String, values: [Double?], fraction: Bool
    }

    static func svg(_ history: [EpochMetrics]) -> String {
        let series = [
            Series(title: "Loss", color: ClassPalette.tab10[0], values: history.map(\.loss), fraction: false),
            Series(
                title: "Active-triplet fraction", color: ClassPalette.tab10[1], values: history.map(\.activeFraction),
                fraction: true),
            Series(
                title: "Precision@1", color: ClassPalette.tab10[2], values: history.map(\.precisionAtOne),
                fraction: true),
            Series(title: "MAP@R", color: ClassPalette.tab10[3], values: history.map(\.mapAtR), fraction: true),
        ]
        var panels: [String] = []
        let epochs = history.map { Double($0.epoch) }
        let firstEpoch = epochs.min() ?? 1, lastEpoch = epochs.max() ?? 1
        for (i, s) in series.enumerated() {
            var svg = SVGBuilder(
                id: ReportSection.trainingCurves.chartID + "-\(i + 1)", width: panelWidth, height: 250,
                label: "\(s.title) per epoch")
            defer { panels.append(svg.svg) }
            let left = 62.0, top = 34.0, width = 210.0, height = 160.0
            let x = LinearScale(
                firstEpoch - 0.3, lastEpoch + 0.3, to: left, left + width, count: 6, integer: true, exact: true)
            let points = zip(epochs, s.values).compactMap { e, v in v.flatMap { $0.isFinite ? (e, $0) : nil } }
            let values = points.map(\.1)
            let y = LinearScale(
                values.min() ?? 0, values.max() ?? 1, to: top + height, top, count: 5,
                bounds: s.fraction ? 0...1 : nil)
            let panel = PlotPanel(left: left, top: top, width: width, height: height, x: x, y: y)
            panel.drawAxes(into: &svg, title: s.title, xLabel: "epoch", yLabel: s.title == "Loss" ? "loss" : "fraction")
            guard !points.isEmpty else {
                svg.text("not measured", left + width / 2, top + height / 2, class: "note")
                continue
            }
            let pixels = points.map { (x($0.0), y($0.1)) }
            svg.polyline(pixels, #"class="series" stroke="\#(s.color)""#)
            for ((epoch, value), (px, py)) in zip(points, pixels) {
                svg.raw(
                    #"<circle cx="\#(n(px))" cy="\#(n(py))" r="3.5" fill="\#(s.color)"><title>epoch \#(Int(epoch)): "#
                        + "\(y.label(value)) (\(value))</title></circle>")
            }
        }
        return #"<div id="\#(ReportSection.trainingCurves.chartID)" class="panels">"# + "\n"
            + panels.joined(separator: "\n") + "\n</div>"
    }
}
