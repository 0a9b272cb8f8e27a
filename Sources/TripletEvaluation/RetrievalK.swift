/// How many nearest references the retrieval metrics rank, as pytorch-metric-learning's
/// `AccuracyCalculator(k:)`. Pass `nil` where a `RetrievalK?` is asked for to rank every reference
/// (PML's `k=None`, the only choice that makes mean average precision the textbook one).
///
/// ```swift
/// let scores = try RetrievalMetrics.compute(embeddings: e, labels: y, k: .maxBinCount)
/// let at10 = try RetrievalMetrics.compute(embeddings: e, labels: y, k: 10)
/// ```
public enum RetrievalK: Sendable, Hashable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    /// PML's `"max_bin_count"`: the largest number of references that share a query's label, over every
    /// query label (less one when the queries are the references). Enough for R-precision and MAP@R.
    case maxBinCount
    /// A fixed number of neighbours, from 1 to the number of references (less one without self).
    case count(Int)

    /// `5` is `.count(5)`.
    public init(integerLiteral value: Int) { self = .count(value) }

    /// `max_bin_count` or the number.
    public var description: String {
        switch self {
        case .maxBinCount: return "max_bin_count"
        case .count(let k): return "\(k)"
        }
    }
}
