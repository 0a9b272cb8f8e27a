import Foundation
import TripletCore

@testable import TripletLosses

/// The records of `cases-family/` (SCHEMA.md, "The family's other learners"): each record carries its
/// own inputs, and each family has its check in a file of its own, registered here by its name.
enum FamilyConformance {
    /// Checks one record: the problems found (empty when it passes); throws when it cannot be mapped.
    typealias Check = @Sendable (FamilyRecord) throws -> [String]

    /// The check of every family this runner knows.
    static let checks: [String: Check] = [
        LadderConformance.family: LadderConformance.check,
        TripletNetworkConformance.family: TripletNetworkConformance.check,
        OASISConformance.family: OASISConformance.check,
    ]

    /// Nil when the record passes, else what differs or why it could not be mapped.
    static func run(_ check: Check, _ raw: [String: Any]) -> String? {
        do {
            let problems = try check(FamilyRecord(raw: raw))
            return problems.isEmpty ? nil : problems.joined(separator: "; ")
        } catch {
            return "\(error)"
        }
    }
}

/// One record of a family case, with the readers and comparisons every family check shares.
struct FamilyRecord {
    let raw: [String: Any]

    /// The record's params, which must all be among `known` (an unknown one is a failure, not a skip).
    func params(known: Set<String>) throws -> [String: Any] {
        let params = raw["params"] as? [String: Any] ?? [:]
        let unknown = Set(params.keys).subtracting(known)
        guard unknown.isEmpty else {
            throw ConformanceRecord.Unsupported(description: "unknown params \(unknown.sorted())")
        }
        return params
    }

    /// A field that must be present.
    func field<T>(_ key: String, as type: T.Type = T.self) throws -> T {
        guard let value = raw[key] as? T else {
            throw ConformanceRecord.Unsupported(description: "missing or malformed '\(key)'")
        }
        return value
    }

    /// A matrix field as a Float tensor.
    func tensor(_ key: String) throws -> Tensor {
        try Tensor(rows: try field(key, as: [[Double]].self).map { $0.map(Float.init) })
    }

    /// The loss within 1e-4 relative (or 1e-6 absolute) and the gradient within 1e-4 of its largest entry.
    func compare(_ output: LossOutput) throws -> [String] {
        var problems: [String] = []
        let reference = try field("loss", as: Double.self), value = Double(output.value)
        if !(abs(value - reference) <= max(1e-4 * abs(reference), 1e-6)) {
            problems.append("loss \(value) vs \(reference)")
        }
        let ref = try field("grad", as: [[Double]].self).flatMap { $0 }
        guard ref.count == output.gradient.scalars.count else {
            return problems + ["gradient has \(output.gradient.scalars.count) entries, reference \(ref.count)"]
        }
        let largest = ref.map(abs).max() ?? 0
        let worst = zip(ref, output.gradient.scalars).map { abs($0 - Double($1)) }.max() ?? 0
        if !(worst <= 1e-4 * largest + 1e-7) {
            problems.append("gradient off by \(worst) (largest entry \(largest))")
        }
        return problems
    }
}
