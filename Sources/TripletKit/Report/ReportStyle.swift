/// The report's style sheet (inlined in the page: no external resources). The page lays out from a phone
/// (390 px) to a wide window: rows of sections and the training-curve panels wrap (`flex-wrap`), and a
/// chart wider than its column scales down (`max-width: 100%`), so nothing is cut off at the right edge.
enum ReportStyle {
    static let css = """
        body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; margin: 24px 32px; color: #222;
          background: #fff; }
        @media (max-width: 600px) { body { margin: 16px 12px; } }
        h1 { font-size: 24px; margin: 0 0 6px; }
        h2 { font-size: 17px; margin: 0 0 8px; }
        header { margin-bottom: 22px; }
        .summary { color: #555; margin: 2px 0; font-size: 13px; }
        .row { display: flex; flex-wrap: wrap; align-items: flex-start; }
        .panels { display: flex; flex-wrap: wrap; }
        section { margin: 0 28px 30px 0; max-width: 100%; }
        .row > section { flex: 0 1 auto; min-width: 0; box-sizing: border-box; }
        .caption { font-size: 13px; color: #444; max-width: 880px; margin: 6px 0 0; line-height: 1.4; }
        .empty { font-size: 13px; color: #888; font-style: italic; }
        svg.chart { display: block; overflow: visible; max-width: 100%; height: auto; }
        svg text { font-family: inherit; }
        .grid { stroke: #ececec; stroke-width: 1; }
        .frame { fill: none; stroke: #999; stroke-width: 1; }
        .tick { stroke: #999; }
        .tick-label { font-size: 11px; fill: #444; }
        .axis-label { font-size: 12px; fill: #222; }
        .panel-title { font-size: 13px; font-weight: bold; fill: #222; }
        .legend-label { font-size: 12px; fill: #222; }
        .annotation { font-size: 12px; fill: #222; font-weight: bold; }
        .note { font-size: 13px; fill: #888; }
        .series { fill: none; stroke-width: 2; }
        .area { fill: #1f77b4; fill-opacity: 0.10; stroke: none; }
        .chance { stroke: #aaa; stroke-dasharray: 4 4; }
        .eer-line { stroke: #d9a400; stroke-dasharray: 2 3; }
        .eer-point { fill: #ffcc00; stroke: #222; stroke-width: 1.5; }
        .threshold { stroke: #222; stroke-dasharray: 5 4; stroke-width: 1.5; }
        .thumb { image-rendering: pixelated; }
        .no-image { fill: #ddd; }
        .query-frame { fill: none; stroke: #555; stroke-width: 2; }
        .match { fill: none; stroke: #2ca02c; stroke-width: 3.5; }
        .mismatch { fill: none; stroke: #d62728; stroke-width: 3.5; }
        .cell-label { font-size: 10px; fill: #222; }
        .cell-note { font-size: 9px; fill: #777; }
        """
}
