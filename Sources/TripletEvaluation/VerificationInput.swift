import TripletCore

/// Checked verification scores, as similarities, with their same / different flags.
struct VerificationInput {
    /// Scores as similarities (larger: more alike).
    let similarities: [Double]
    let isSame: [Bool]
    let genuine: Int
    let impostors: Int

    /// Throws for empty or non-finite scores, counts that differ, or pairs all of one kind.
    init(scores: [Double], isSame: [Bool], kind: VerificationScoreKind) throws {
        guard scores.count == isSame.count else {
            throw TripletError.invalidParameter(
                name: "isSame", value: "\(isSame.count) flags", expected: "one per score (\(scores.count))")
        }
        guard !scores.isEmpty else { throw TripletError.emptyBatch }
        if let bad = scores.firstIndex(where: { !$0.isFinite }) {
            throw TripletError.nonFiniteValue(what: "verification scores", row: bad, column: 0)
        }
        let genuine = isSame.reduce(0) { $0 + ($1 ? 1 : 0) }
        guard genuine > 0, genuine < isSame.count else {
            throw TripletError.invalidParameter(
                name: "isSame", value: "all \(genuine > 0 ? "same" : "different")",
                expected: "both same-identity and different-identity pairs (a FAR and a TAR need both)")
        }
        similarities = scores.map(kind.similarity)
        self.isSame = isSame
        self.genuine = genuine
        impostors = isSame.count - genuine
    }
}
