import ArgumentParser
import TripletKit

/// `triplet train`'s flags of the ladder loss (`--loss ladder`).
struct LadderFlags: ParsableArguments {
    @Option(
        help:
            "With --loss ladder: the coarse group of every class, groups separated by colons, e.g. 0,2,4,6:5,7,9:1,3,8 (relevance 2 = same class, 1 = same group, 0 = other)."
    )
    var coarseGroups: String?
    @Option(help: "With --loss ladder: the margins of level 1 (same group) and level 2 (same class).")
    var ladderMargins = "0.2,0.1"
    @Option(help: "With --loss ladder: the weights of level 1 and level 2.") var ladderWeights = "1,1"

    /// The ladder options for `loss`: nil for another loss (which must not be given --coarse-groups).
    func options(for loss: LossChoice) throws -> LadderOptions? {
        guard loss == .ladder else {
            guard coarseGroups == nil else { throw ValidationError("--coarse-groups goes with --loss ladder") }
            return nil
        }
        guard let coarseGroups else {
            throw ValidationError("--loss ladder needs --coarse-groups, e.g. 0,2,4,6:5,7,9:1,3,8")
        }
        func numbers(_ text: String, _ flag: String) throws -> [Float] {
            let values = text.split(separator: ",").compactMap { Float($0.trimmingCharacters(in: .whitespaces)) }
            guard values.count == 2, values.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
                throw ValidationError("\(flag) \(text): expected two numbers >= 0 like 0.2,0.1")
            }
            return values
        }
        do {
            return LadderOptions(
                coarseGroups: try LadderOptions.parseGroups(coarseGroups),
                margins: try numbers(ladderMargins, "--ladder-margins"),
                weights: try numbers(ladderWeights, "--ladder-weights"))
        } catch TripletError.invalidParameter(_, _, let expected) {
            throw ValidationError("--coarse-groups \(coarseGroups): expected \(expected)")
        }
    }
}
