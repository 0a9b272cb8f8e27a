import TripletCore

/// Comparisons drawn from class labels, as OASIS's online algorithm samples them: a random query, a random
/// other sample of its class as the positive, a random sample of another class as the negative, all from
/// one seeded generator (the same seed gives the same comparisons).
///
/// ```swift
/// var draw = try LabelComparisons(labels: [0, 0, 1, 1, 2], seed: 7)
/// let c = draw.next()  // e.g. Comparison(1, 0, 4)
/// ```
public struct LabelComparisons: Sendable {
    private let labels: [Int]
    /// The samples of each sample's class (shared arrays, one per class).
    private let classMembers: [[Int]]
    /// The queries: samples with at least one other sample of their class.
    private let queries: [Int]
    private var generator: SeededGenerator

    /// A draw over `labels`.
    /// - Throws: `TripletError.invalidParameter` when there is only one class or no class has two samples.
    public init(labels: [Int], seed: UInt64) throws {
        let members = Dictionary(grouping: labels.indices, by: { labels[$0] })
        guard members.count >= 2 else {
            throw TripletError.invalidParameter(
                name: "labels", value: "\(members.count) class(es)",
                expected: "at least two classes, to draw negatives from another class")
        }
        let classMembers = labels.map { members[$0] ?? [] }
        let queries = labels.indices.filter { classMembers[$0].count >= 2 }
        guard !queries.isEmpty else {
            throw TripletError.invalidParameter(
                name: "labels", value: "one sample per class",
                expected: "a class with at least two samples, to draw positives")
        }
        (self.labels, self.classMembers, self.queries) = (labels, classMembers, queries)
        generator = SeededGenerator(seed: seed)
    }

    /// The next comparison: negatives are drawn uniformly among the samples of other classes (by
    /// rejection, so each draw costs O(1) on average).
    public mutating func next() -> Comparison {
        let query = queries[draw(queries.count)]
        let own = classMembers[query]
        var positive = own[draw(own.count - 1)]
        if positive == query { positive = own[own.count - 1] }  // uniform over the class without the query
        var negative = draw(labels.count)
        while labels[negative] == labels[query] { negative = draw(labels.count) }
        return Comparison(query, positive, negative)
    }

    /// The next `count` comparisons.
    public mutating func next(_ count: Int) -> [Comparison] { (0..<max(0, count)).map { _ in next() } }

    private mutating func draw(_ count: Int) -> Int { Int(generator.next(upperBound: UInt64(count))) }
}
