import Foundation

/// Query images (left) with their nearest neighbours among the other evaluation images, closest first;
/// a neighbour is framed green when its class is the query's, red otherwise.
enum NeighborGridChart {
    /// One row of the grid: a query and its neighbours (sample index, distance).
    struct Row {
        let query: Int
        let neighbors: [(index: Int, distance: Float)]
    }

    static func svg(rows: [Row], labels: [Int], thumbnails: Thumbnails, names: (Int) -> String) -> String {
        let cell = 56.0, pitch = 70.0, rowHeight = 92.0, left = 8.0, gap = 20.0, top = 28.0
        let columns = rows.map(\.neighbors.count).max() ?? 0
        let neighborLeft = left + pitch + gap
        var svg = SVGBuilder(
            id: ReportSection.nearestNeighbors.chartID, width: neighborLeft + Double(columns) * pitch + 10,
            height: top + Double(rows.count) * rowHeight, label: "Queries and their nearest neighbours")
        svg.text("query", left + cell / 2, 16, class: "panel-title")
        svg.text("nearest neighbours, closest first", neighborLeft, 16, anchor: "start", class: "panel-title")
        for (r, row) in rows.enumerated() {
            let y = top + Double(r) * rowHeight
            let queryLabel = labels[row.query]
            image(&svg, row.query, left, y, cell, thumbnails, frame: "query-frame")
            svg.text(names(queryLabel), left + cell / 2, y + cell + 16, class: "cell-label")
            svg.text("#\(row.query)", left + cell / 2, y + cell + 29, class: "cell-note")
            for (c, neighbor) in row.neighbors.enumerated() {
                let x = neighborLeft + Double(c) * pitch
                let match = labels[neighbor.index] == queryLabel
                image(&svg, neighbor.index, x, y, cell, thumbnails, frame: match ? "match" : "mismatch")
                svg.text(names(labels[neighbor.index]), x + cell / 2, y + cell + 16, class: "cell-label")
                svg.text(String(format: "d %.3f", neighbor.distance), x + cell / 2, y + cell + 29, class: "cell-note")
            }
        }
        return svg.svg
    }

    /// The thumbnail of sample `index` (a grey square when there is none) in a frame of class `frame`.
    private static func image(
        _ svg: inout SVGBuilder, _ index: Int, _ x: Double, _ y: Double, _ size: Double, _ thumbnails: Thumbnails,
        frame: String
    ) {
        if let uri = thumbnails.uris[index] {
            svg.raw(
                #"<image class="thumb" x="\#(n(x))" y="\#(n(y))" width="\#(n(size))" height="\#(n(size))" "#
                    + #"preserveAspectRatio="none" href="\#(uri)"/>"#)
        } else {
            svg.rect(x, y, size, size, #"class="no-image""#)
        }
        svg.rect(x - 2, y - 2, size + 4, size + 4, #"class="\#(frame)""#)
    }
}
