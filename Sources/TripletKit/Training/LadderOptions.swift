import TripletCore
import TripletLosses

/// What the ladder loss (`LossChoice.ladder`) needs beyond the labels: the coarse group of every class
/// (relevance 2 = same class, 1 = same group, 0 = other) and a margin and weight for levels 1 and 2.
///
/// ```swift
/// var config = TrainingConfig()
/// config.loss = .ladder
/// config.ladder = LadderOptions(coarseGroups: try LadderOptions.parseGroups("0,2,4,6:5,7,9:1,3,8"))
/// ```
public struct LadderOptions: Codable, Equatable, Sendable {
    /// The classes of each coarse group; every class of the training data in exactly one group.
    public var coarseGroups: [[Int]]
    /// The margins of level 1 (same group) and level 2 (same class).
    public var margins: [Float]
    /// The weights of level 1 and level 2.
    public var weights: [Float]

    /// Groups with margins 0.2 (level 1) and 0.1 (level 2) and equal weights by default.
    public init(coarseGroups: [[Int]], margins: [Float] = [0.2, 0.1], weights: [Float] = [1, 1]) {
        self.coarseGroups = coarseGroups
        self.margins = margins
        self.weights = weights
    }

    /// "0,2,4,6:5,7,9:1,3,8": groups separated by colons, classes by commas.
    /// - Throws: `TripletError.invalidParameter` (name "coarseGroups") for anything else.
    public static func parseGroups(_ text: String) throws -> [[Int]] {
        let groups = text.split(separator: ":", omittingEmptySubsequences: false).map { group in
            group.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        }
        guard !groups.isEmpty, groups.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0 != nil } }) else {
            throw TripletError.invalidParameter(
                name: "coarseGroups", value: text, expected: "groups of classes like 0,2,4,6:5,7,9:1,3,8")
        }
        return groups.map { $0.compactMap { $0 } }
    }

    /// The group index of every class.
    /// - Throws: `TripletError.invalidParameter` when a class is in two groups.
    public func groupOfClass() throws -> [Int: Int] {
        var map: [Int: Int] = [:]
        for (g, classes) in coarseGroups.enumerated() {
            for c in classes {
                if let other = map[c], other != g {
                    throw TripletError.invalidParameter(
                        name: "coarseGroups", value: "with class \(c) in groups \(other) and \(g)",
                        expected: "each class in one group")
                }
                map[c] = g
            }
        }
        return map
    }

    /// The loss, using `threads`.
    /// - Throws: `TripletError.invalidParameter` for a class in two groups or margins and weights that
    ///   `LadderLoss` refuses (names "ladderMargins", "ladderWeights").
    public func makeLoss(threads: Int) throws -> LadderLoss {
        let groups = try groupOfClass()
        func check(_ values: [Float], _ name: String) throws {
            guard values.count == 2, values.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
                throw TripletError.invalidParameter(
                    name: name, value: "\(values)", expected: "two finite numbers >= 0 (levels 1 and 2)")
            }
        }
        try check(margins, "ladderMargins")
        try check(weights, "ladderWeights")
        return try LadderLoss(margins: margins, weights: weights, coarseGroups: groups, threads: threads)
    }
}
