import Foundation

/// The ROC curve (true positive rate against false positive rate over the distance threshold), the
/// chance diagonal, the FPR = FNR line and the equal-error point.
enum ROCChart {
    static func svg(_ verification: ReportVerification) -> String {
        let roc = verification.roc
        var svg = SVGBuilder(
            id: ReportSection.rocCurve.chartID, width: 440, height: 414, label: "ROC curve of verification pairs")
        let left = 70.0, top = 20.0, side = 340.0
        let x = LinearScale(0, 1, to: left, left + side, count: 5, exact: true)
        let y = LinearScale(0, 1, to: top + side, top, count: 5, exact: true)
        let panel = PlotPanel(left: left, top: top, width: side, height: side, x: x, y: y)
        panel.drawAxes(
            into: &svg, title: nil, xLabel: "false positive rate (different-class pairs accepted)",
            yLabel: "true positive rate")
        svg.line(x(0), y(0), x(1), y(1), class: "chance")
        svg.line(x(0), y(1), x(1), y(0), class: "eer-line")
        var kept: [(Double, Double)] = []
        let points = Array(zip(roc.falseAcceptRates, roc.trueAcceptRates))
        for (i, p) in points.enumerated() {
            let isLast = i == points.count - 1
            if let last = kept.last, !isLast, abs(p.0 - last.0) + abs(p.1 - last.1) < 0.002 { continue }
            kept.append(p)
        }
        let pixels = kept.map { (x($0.0), y($0.1)) }
        svg.polyline(pixels + [(x(1), y(0))], #"class="area""#)
        svg.polyline(pixels, #"class="series" stroke="\#(ClassPalette.tab10[0])""#)
        let eer = roc.equalErrorRate
        let ex = x(eer), ey = y(1 - eer)
        svg.raw(#"<circle class="eer-point" cx="\#(n(ex))" cy="\#(n(ey))" r="5.5"/>"#)
        svg.text(String(format: "EER %.2f%%", 100 * eer), ex + 10, ey + 16, anchor: "start", class: "annotation")
        svg.text(String(format: "AUC %.4f", roc.areaUnderCurve), x(0.95), y(0.06), anchor: "end", class: "annotation")
        return svg.svg
    }
}
