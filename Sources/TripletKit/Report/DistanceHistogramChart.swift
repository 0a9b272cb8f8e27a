import Foundation

/// Overlaid, semi-transparent histograms of same-class and different-class pair distances (each
/// normalised to fractions of its pairs), with the threshold of the equal error rate.
enum DistanceHistogramChart {
    static func svg(positives: [Double], negatives: [Double], threshold: Double?, bins: Int = 50) -> String {
        var svg = SVGBuilder(
            id: ReportSection.distanceHistogram.chartID, width: 580, height: 420,
            label: "Histogram of positive and negative pair distances")
        let left = 76.0, top = 50.0, width = 484.0, height = 320.0
        let largest = max(positives.max() ?? 1, negatives.max() ?? 1)
        let upper = largest > 1e-9 ? largest : 1  // all distances zero: a unit axis
        let binWidth = upper / Double(bins)
        func fractions(_ values: [Double]) -> [Double] {
            var counts = [Double](repeating: 0, count: bins)
            for v in values { counts[min(bins - 1, max(0, Int(v / binWidth)))] += 1 }
            return counts.map { $0 / Double(max(values.count, 1)) }
        }
        let positive = fractions(positives), negative = fractions(negatives)
        let x = LinearScale(0, upper, to: left, left + width, count: 10, exact: true)
        let y = LinearScale(0, max(positive.max() ?? 0, negative.max() ?? 0), to: top + height, top, count: 6)
        let panel = PlotPanel(left: left, top: top, width: width, height: height, x: x, y: y)
        panel.drawAxes(into: &svg, title: nil, xLabel: "Euclidean distance", yLabel: "fraction of pairs")
        for (values, color) in [(negative, ClassPalette.tab10[3]), (positive, ClassPalette.tab10[2])] {
            for (b, value) in values.enumerated() where value > 0 {
                let x0 = x(Double(b) * binWidth), x1 = x(Double(b + 1) * binWidth)
                svg.rect(x0, y(value), x1 - x0, y(0) - y(value), #"fill="\#(color)" fill-opacity="0.5""#)
            }
        }
        if let threshold {
            svg.line(x(threshold), top, x(threshold), top + height, class: "threshold")
            svg.text(
                String(format: "EER threshold %.3f", threshold), x(threshold) + 6, top + 16, anchor: "start",
                class: "annotation")
        }
        let legend = [
            ("same class (\(positives.count) pairs)", ClassPalette.tab10[2]),
            ("different class (\(negatives.count) pairs)", ClassPalette.tab10[3]),
        ]
        for (i, (text, color)) in legend.enumerated() {
            let lx = left + Double(i) * 240
            svg.rect(lx, 14, 14, 14, #"fill="\#(color)" fill-opacity="0.5""#)
            svg.text(text, lx + 20, 26, anchor: "start", class: "legend-label")
        }
        return svg.svg
    }
}
