import Foundation
import TripletCore

@testable import TripletLosses

/// `LadderLoss (Zhou et al. 2020)`: params {margins, weights, levels}; embeddings, relevance; loss, grad
/// and the active terms of each level.
enum LadderConformance {
    static let family = "LadderLoss (Zhou et al. 2020)"

    static func check(_ record: FamilyRecord) throws -> [String] {
        let params = try record.params(known: ["margins", "weights", "levels"])
        guard let margins = params["margins"] as? [Double], let weights = params["weights"] as? [Double],
            let levels = params["levels"] as? Int
        else { throw ConformanceRecord.Unsupported(description: "params \(params)") }
        let loss = try LadderLoss(margins: margins.map(Float.init), weights: weights.map(Float.init))
        guard loss.levels == levels else {
            throw ConformanceRecord.Unsupported(description: "levels \(levels) with \(margins.count) margins")
        }
        let relevance = try RelevanceMatrix(try record.field("relevance", as: [[Int]].self))
        let out = try loss(try record.tensor("embeddings"), relevance: relevance)
        var problems = try record.compare(out.loss)
        let active = try record.field("active_terms_per_level", as: [Int].self)
        if out.activeTermsPerLevel != active {
            problems.append("active terms per level \(out.activeTermsPerLevel) vs \(active)")
        }
        return problems
    }
}
