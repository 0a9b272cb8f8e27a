import Foundation

extension ReportContent {
    /// The report as one self-contained HTML page (inline CSS and SVG, thumbnails as `data:` PNGs; no
    /// external resource), well-formed XML, with one `<section>` per `ReportSection`.
    /// - Throws: `TripletError` for invalid options or content (empty or non-finite embeddings, counts that
    ///   differ).
    public func html(options: ReportOptions = ReportOptions()) throws -> String {
        try options.validate()
        try validate()
        let analysis = try ReportAnalysis(self, options: options)
        let sampleLabels = analysis.sample.map { labels[$0] }
        var sections: [String] = []

        let curves = history.isEmpty ? nil : TrainingCurvesChart.svg(history)
        sections.append(
            Self.section(
                .trainingCurves, "Training curves", curves,
                caption: "Per epoch: mean training loss, mean fraction of mined triplets with a loss above zero, and "
                    + "precision@1 and MAP@R of the evaluation set against itself (self excluded). "
                    + historyCaption, empty: "No epochs recorded."))

        let map =
            analysis.projection.isEmpty
            ? nil
            : EmbeddingMapChart.svg(
                points: analysis.projection, labels: sampleLabels, explained: analysis.explained, names: className)
        sections.append(
            Self.section(
                .embeddingMap, "Embeddings, first two principal components", map,
                caption: "\(analysis.sample.count) of the \(labels.count) evaluation embeddings (a random subsample, "
                    + "seed \(options.seed)) projected on the two leading eigenvectors of their covariance "
                    + "(PCA by Jacobi eigen-decomposition), coloured by class.",
                empty: "Fewer than two embeddings: nothing to project."))

        let rocRow: [String]
        if let verification = analysis.verification {
            let roc = verification.roc
            let pairsText =
                "\(verification.positives.count) same-class pairs (every one of the subsample) and as many random "
                + "different-class pairs (TripletEvaluation's VerificationPairs and VerificationMetrics), Euclidean "
                + "distance; a pair is accepted as the same class when its distance is at most the threshold."
            rocRow = [
                Self.section(
                    .rocCurve, "Verification ROC", ROCChart.svg(verification),
                    caption: String(
                        format: "AUC %.4f, EER %.2f%% (at distance %.3f). ", roc.areaUnderCurve,
                        100 * roc.equalErrorRate, verification.eerThreshold) + pairsText, empty: ""),
                Self.section(
                    .distanceHistogram, "Pair distances",
                    DistanceHistogramChart.svg(
                        positives: verification.positives, negatives: verification.negatives,
                        threshold: verification.eerThreshold),
                    caption: "Distances of the same-class (green) and different-class (red) pairs of the ROC, "
                        + "each as a fraction of its pairs; the dashed line is the threshold of the equal error rate.",
                    empty: ""),
            ]
        } else {
            let why = "The subsample has no same-class pair or no different-class pair: no verification curve."
            rocRow = [
                Self.section(.rocCurve, "Verification ROC", nil, caption: "", empty: why),
                Self.section(.distanceHistogram, "Pair distances", nil, caption: "", empty: why),
            ]
        }
        sections += rocRow

        let grid: String?
        if analysis.neighborRows.isEmpty {
            grid = nil
        } else {
            let shown = analysis.neighborRows.flatMap { [$0.query] + $0.neighbors.map(\.index) }
            grid = NeighborGridChart.svg(
                rows: analysis.neighborRows, labels: labels, thumbnails: try Thumbnails(images: images, indices: shown),
                names: className)
        }
        let rows = analysis.neighborRows
        let matches = rows.reduce(0) { sum, row in
            sum + row.neighbors.filter { labels[$0.index] == labels[row.query] }.count
        }
        let total = rows.reduce(0) { $0 + $1.neighbors.count }
        sections.append(
            Self.section(
                .nearestNeighbors, "Nearest neighbours", grid,
                caption: "\(rows.count) queries (one per class first, seed \(options.seed)) and their "
                    + "\(options.neighbors) nearest neighbours among the other \(labels.count - 1) evaluation "
                    + "samples (exact search, Euclidean). Green frame: same class as the query, red: another class; "
                    + "\(matches) of \(total) neighbours match.",
                empty: "No queries (--queries 0, or fewer than two samples)."))

        let summaryLines = summary.map { #"<p class="summary">\#(xmlEscaped($0))</p>"# }.joined(separator: "\n")
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8"/>
            <title>\(xmlEscaped("TripletKit report: " + title))</title>
            <style>
            \(ReportStyle.css)
            </style>
            </head>
            <body>
            <header>
            <h1>\(xmlEscaped("TripletKit report: " + title))</h1>
            \(summaryLines)
            </header>
            \(Self.layout(sections))
            </body>
            </html>

            """
    }

    /// The sections in page order: the curves across the page, then two rows of two (map and ROC,
    /// histogram and neighbours), which wrap on a narrow window.
    private static func layout(_ sections: [String]) -> String {
        func row(_ part: ArraySlice<String>) -> String {
            #"<div class="row">"# + "\n" + part.joined(separator: "\n") + "\n</div>"
        }
        return ([sections[0], row(sections[1...2]), row(sections[3...4])]).joined(separator: "\n")
    }

    /// The last epoch's numbers, for the curves' caption.
    private var historyCaption: String {
        guard let last = history.last else { return "" }
        var parts = ["After epoch \(last.epoch):", String(format: "loss %.4f,", last.loss)]
        if let p = last.precisionAtOne { parts.append(String(format: "P@1 %.4f,", p)) }
        if let m = last.mapAtR { parts.append(String(format: "MAP@R %.4f,", m)) }
        let seconds = history.reduce(0) { $0 + $1.seconds }
        parts.append(String(format: "%.1f s of training in all.", seconds))
        return parts.joined(separator: " ")
    }

    /// The `width` attribute of a chart that is one `<svg>` element (nil for the training-curve panels).
    private static func chartWidth(_ chart: String) -> String? {
        guard chart.hasPrefix("<svg"), let tag = chart.split(separator: ">", maxSplits: 1).first,
            let start = tag.range(of: #" width=""#)
        else { return nil }
        return tag[start.upperBound...].split(separator: "\"", maxSplits: 1).first.map(String.init)
    }

    /// A `<section>` with its heading, chart (or a note saying why there is none) and caption.
    private static func section(
        _ kind: ReportSection, _ heading: String, _ chart: String?, caption: String, empty: String
    ) -> String {
        let body = chart ?? #"<p class="empty">\#(xmlEscaped(empty))</p>"#
        let text = caption.isEmpty ? "" : #"<p class="caption">\#(xmlEscaped(caption))</p>"#
        // A section of one chart is as wide as the chart, so its caption wraps under it (the CSS caps it at
        // the window's width, and the chart scales down with it).
        let width = chart.flatMap(chartWidth).map { #" style="width: \#($0)px""# } ?? ""
        return #"<section id="\#(kind.rawValue)"\#(width)>"#
            + "\n<h2>\(xmlEscaped(heading))</h2>\n\(body)\n\(text)\n</section>"
    }
}
