import TripletCore

/// One relative comparison between three samples (row indices): the anchor is more similar to (closer to)
/// the positive than to the negative — OASIS's (p, p⁺, p⁻) and Schultz & Joachims's "i is closer to j
/// than to k".
public struct Comparison: Equatable, Hashable, Sendable {
    /// The sample the other two are compared with.
    public var anchor: Int
    /// The sample that should be the more similar (closer) one.
    public var positive: Int
    /// The sample that should be the less similar (farther) one.
    public var negative: Int

    /// A comparison of the rows `anchor`, `positive` and `negative`.
    public init(_ anchor: Int, _ positive: Int, _ negative: Int) {
        (self.anchor, self.positive, self.negative) = (anchor, positive, negative)
    }

    /// Checks every comparison against `sampleCount` rows.
    /// - Throws: `TripletError.invalidParameter` for an empty list, `TripletError.indexOutOfRange` for an
    ///   index outside 0..<sampleCount.
    public static func validate(_ comparisons: [Comparison], sampleCount: Int) throws {
        guard !comparisons.isEmpty else {
            throw TripletError.invalidParameter(
                name: "comparisons", value: "an empty list", expected: "at least one (anchor, positive, negative)")
        }
        for (t, c) in comparisons.enumerated() {
            for index in [c.anchor, c.positive, c.negative] where !(0..<sampleCount).contains(index) {
                throw TripletError.indexOutOfRange(what: "sample of comparison \(t)", index: index, count: sampleCount)
            }
        }
    }
}
