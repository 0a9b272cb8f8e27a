import Foundation

/// The records of `cases-family/` (the family's other learners): each record carries its own inputs, so
/// they are checked by family, one checker per family, each in its own file.
enum FamilyConformance {
    /// The checkers by `family`: nil when the record passes, else what differs.
    static let checkers: [String: @Sendable ([String: Any]) throws -> String?] = [
        "OASIS (Chechik et al. 2010)": OASISConformance.check
    ]

    /// Whether a case file holds family records (inputs inside each record, no shared `case.embeddings`).
    static func isFamilyCase(_ root: [String: Any]) -> Bool {
        (root["case"] as? [String: Any])?["embeddings"] == nil && root["records"] is [[String: Any]]
    }

    /// Checks every record of a family case file: the number checked and the failures.
    static func check(file: String, root: [String: Any]) -> (checked: Int, failures: [String]) {
        let records = root["records"] as? [[String: Any]] ?? []
        var failures: [String] = []
        for raw in records {
            let name = raw["name"] as? String ?? "?", family = raw["family"] as? String ?? "?"
            guard let checker = checkers[family] else {
                failures.append("\(file) \(name): family \(family) is not known to the runner")
                continue
            }
            do {
                if let problem = try checker(raw) { failures.append("\(file) \(name): \(problem)") }
            } catch {
                failures.append("\(file) \(name): \(error)")
            }
        }
        return (records.count, failures)
    }
}
