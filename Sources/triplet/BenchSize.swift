import ArgumentParser

/// The largest array a benchmark may generate: the sizes it is given are checked against it before
/// anything is allocated, so that a mistyped size is an error, not an allocation that aborts.
enum BenchSize {
    /// 2³⁰ elements (4 GiB of Float32).
    static let maximumElements = 1 << 30

    /// Throws a `ValidationError` naming `what` unless `rows` × `width` is at most `maximumElements`.
    static func check(_ what: String, rows: Int, width: Int) throws {
        let (count, overflow) = rows.multipliedReportingOverflow(by: width)
        guard !overflow, count <= maximumElements else {
            throw ValidationError(
                "\(what) of \(rows) × \(width) is over the limit of \(maximumElements) elements: use smaller sizes")
        }
    }
}
