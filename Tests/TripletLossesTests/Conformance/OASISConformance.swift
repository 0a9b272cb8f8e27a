import TripletCore
import TripletLinear

/// `OASIS (Chechik et al. 2010)` records: every hinge within 1e-4 absolute, W within 1e-4 of its largest
/// entry.
enum OASISConformance {
    static let family = "OASIS (Chechik et al. 2010)"
    static let knownFields: Set<String> = ["name", "family", "formula", "features", "triplets", "C", "hinge", "W"]

    static func check(_ record: FamilyRecord) throws -> [String] {
        let raw = record.raw
        let unknown = Set(raw.keys).subtracting(knownFields)
        guard unknown.isEmpty else { return ["unknown fields \(unknown.sorted())"] }
        guard let rows = raw["features"] as? [[Double]], let triplets = raw["triplets"] as? [[Int]],
            let c = raw["C"] as? Double, let hinges = raw["hinge"] as? [Double], let w = raw["W"] as? [[Double]]
        else { return ["missing features, triplets, C, hinge or W"] }
        let features = try Tensor(rows: rows.map { $0.map(Float.init) })
        let comparisons = try triplets.map { t -> Comparison in
            guard t.count == 3 else { throw TripletError.shapeMismatch(expected: "(i, j, k)", got: [t.count]) }
            return Comparison(t[0], t[1], t[2])
        }
        var oasis = try OASIS(dimension: features.rowWidth, aggressiveness: Float(c))
        let run = try oasis.train(features: features, comparisons: comparisons)
        var problems: [String] = []
        if hinges.count != run.hinges.count {
            problems.append("\(run.hinges.count) hinges, reference \(hinges.count)")
        } else if let step = hinges.indices.first(where: { !(abs(hinges[$0] - Double(run.hinges[$0])) <= 1e-4) }) {
            problems.append("hinge of step \(step) is \(run.hinges[step]), reference \(hinges[step])")
        }
        let reference = w.flatMap { $0 }
        if reference.count != oasis.weights.count {
            problems.append("W has \(oasis.weights.count) entries, reference \(reference.count)")
        } else {
            let largest = reference.map(abs).max() ?? 0
            let worst = zip(reference, oasis.weights).map { abs($0 - Double($1)) }.max() ?? 0
            if !(worst <= 1e-4 * largest) { problems.append("W off by \(worst) (largest entry \(largest))") }
        }
        return problems
    }
}
