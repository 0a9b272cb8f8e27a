/// The embeddings on their first two principal components, one dot per sample coloured by class, with
/// a legend of class names; both axes share one scale, so distances on the page are true to the plane.
enum EmbeddingMapChart {
    static func svg(points: [[Double]], labels: [Int], explained: [Double], names: (Int) -> String) -> String {
        var svg = SVGBuilder(
            id: ReportSection.embeddingMap.chartID, width: 830, height: 594,
            label: "Embeddings projected on two principal components")
        let left = 76.0, top = 20.0, side = 520.0
        let xs = points.map { $0[0] }, ys = points.map { $0[1] }
        let (x0, x1) = (xs.min() ?? -1, xs.max() ?? 1), (y0, y1) = (ys.min() ?? -1, ys.max() ?? 1)
        let extent = max(x1 - x0, y1 - y0)
        let span = extent > 1e-9 ? extent * 1.06 : 1  // identical points: a unit square around them
        let cx = (x0 + x1) / 2, cy = (y0 + y1) / 2
        let x = LinearScale(cx - span / 2, cx + span / 2, to: left, left + side, count: 6, exact: true)
        let y = LinearScale(cy - span / 2, cy + span / 2, to: top + side, top, count: 6, exact: true)
        let panel = PlotPanel(left: left, top: top, width: side, height: side, x: x, y: y)
        func percent(_ i: Int) -> String {
            explained.indices.contains(i) ? String(format: " (%.1f%% of the variance)", 100 * explained[i]) : ""
        }
        panel.drawAxes(into: &svg, title: nil, xLabel: "PC 1" + percent(0), yLabel: "PC 2" + percent(1))
        let classes = Array(Set(labels)).sorted()
        let position = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        for (point, label) in zip(points, labels) {
            svg.raw(
                #"<circle cx="\#(n(x(point[0])))" cy="\#(n(y(point[1])))" r="2.6" "#
                    + #"fill="\#(ClassPalette.color(position[label] ?? 0))" fill-opacity="0.75"/>"#)
        }
        let legendX = left + side + 36
        svg.text("class", legendX, top + 14, anchor: "start", class: "panel-title")
        for (i, label) in classes.enumerated() {
            let ly = top + 40 + Double(i) * 24
            svg.raw(#"<circle cx="\#(n(legendX + 6))" cy="\#(n(ly - 4))" r="6" fill="\#(ClassPalette.color(i))"/>"#)
            let count = labels.filter { $0 == label }.count
            svg.text("\(names(label))  (\(count))", legendX + 20, ly, anchor: "start", class: "legend-label")
        }
        return svg.svg
    }
}
