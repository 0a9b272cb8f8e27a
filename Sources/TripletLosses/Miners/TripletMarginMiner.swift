/// pytorch-metric-learning's `TripletMarginMiner`: the valid triplets whose margin
/// m = d'(a, n) − d'(a, p) (d' = distance, or −similarity) satisfies the chosen rule.
///
/// | type | rule |
/// |---|---|
/// | `.all` | m ≤ margin |
/// | `.hard` | m ≤ margin and m ≤ 0 |
/// | `.semihard` | 0 < m ≤ margin |
/// | `.easy` | m > margin |
///
/// ```swift
/// let loss = TripletMarginLoss(margin: 0.2, miner: TripletMarginMiner(margin: 0.2, type: .semihard))
/// ```
public struct TripletMarginMiner: TripletMiner {
    /// Which triplets to keep.
    public enum TripletType: String, Sendable, CaseIterable {
        /// m ≤ margin.
        case all
        /// m ≤ margin and m ≤ 0: the negative is at least as close as the positive.
        case hard
        /// 0 < m ≤ margin: the negative is further than the positive, but within the margin.
        case semihard
        /// m > margin.
        case easy
    }

    /// The miner's own margin.
    public var margin: Float
    /// The rule.
    public var type: TripletType

    /// A miner with PML's defaults (margin 0.2, all).
    public init(margin: Float = 0.2, type: TripletType = .all) {
        self.margin = margin
        self.type = type
    }

    /// The margin interval of the rule.
    public var range: MarginRange {
        switch type {
        case .all: return MarginRange(atMost: margin)
        case .hard: return MarginRange(atMost: min(margin, 0))
        case .semihard: return MarginRange(above: 0, atMost: margin)
        case .easy: return MarginRange(above: margin)
        }
    }

    /// Throws when an option is out of range.
    public func validate() throws {
        try BatchValidation.check("miner margin", margin, atLeast: 0)
    }

    /// The triplets selected for a batch whose distances and labels are given.
    public func mine(_ distances: DistanceMatrix, labels: [Int]) -> MinedTriplets {
        .marginRange(range)
    }
}
