import Foundation
import Testing
import TripletCore

@testable import TripletLosses

/// Runs every record of the conformance cases (values from PyTorch / PML, or from the formulas of the
/// family's other learners) against TripletKit: the project's copies (`cases`, `cases-family`, `cases-xbm`), plus
/// every folder in `TRIPLETKIT_CONFORMANCE_DIRS` (colon-separated).
@Suite struct ConformanceTests {
    static func caseFiles() throws -> [URL] {
        var folders: [URL] = []
        for name in ["cases", "cases-family", "cases-xbm"] {
            if let bundled = Bundle.module.url(forResource: name, withExtension: nil) { folders.append(bundled) }
        }
        let extra = ProcessInfo.processInfo.environment["TRIPLETKIT_CONFORMANCE_DIRS"] ?? ""
        folders += extra.split(separator: ":").map { URL(fileURLWithPath: String($0)) }
        return try folders.flatMap { folder in
            try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
                .filter { $0.pathExtension == "json" }
                .sorted { $0.lastPathComponent < $1.lastPathComponent }
        }
    }

    @Test func everyRecordMatchesTheReference() throws {
        var checked = 0
        var failures: [String] = []
        for url in try Self.caseFiles() {
            let data = try Data(contentsOf: url)
            guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any],
                let batch = root["case"] as? [String: Any], let records = root["records"] as? [[String: Any]]
            else {
                failures.append("\(url.lastPathComponent): not a conformance case file")
                continue
            }
            for raw in records {
                checked += 1
                if raw["family"] as? String == XBMConformance.family {
                    if let problem = XBMConformance.run(case: batch, record: raw) {
                        failures.append("\(url.lastPathComponent) \(raw["name"] ?? "?"): \(problem)")
                    }
                    continue
                }
                // A family record carries its own inputs (cases-family/).
                if let check = FamilyConformance.checks[raw["family"] as? String ?? ""] {
                    if let problem = FamilyConformance.run(check, raw) {
                        failures.append("\(url.lastPathComponent) \(raw["name"] ?? "?"): \(problem)")
                    }
                    continue
                }
                guard let rows = batch["embeddings"] as? [[Double]], let labels = batch["labels"] as? [Int] else {
                    failures.append(
                        "\(url.lastPathComponent): unknown family \(raw["family"] ?? "?") (or a case without a batch)")
                    continue
                }
                let embeddings = try Tensor(rows: rows.map { $0.map(Float.init) })
                let record = ConformanceRecord(
                    file: url.lastPathComponent, name: raw["name"] as? String ?? "?",
                    family: raw["family"] as? String ?? "?",
                    params: raw["params"] as? [String: Any] ?? [:], raw: raw)
                if let problem = Self.check(record, embeddings: embeddings, labels: labels) {
                    failures.append("\(record.file) \(record.name): \(problem)")
                }
            }
        }
        for failure in failures { Issue.record(Comment(rawValue: failure)) }
        print("conformance: \(checked) records checked, \(failures.count) failed")
        #expect(checked > 0)
        #expect(failures.isEmpty)
    }

    /// Nil when the record passes, else what differs.
    static func check(_ record: ConformanceRecord, embeddings: Tensor, labels: [Int]) -> String? {
        let result: ConformanceRecord.Result
        do {
            result = try record.evaluate(embeddings: embeddings, labels: labels)
        } catch {
            return "\(error)"
        }
        let raw = record.raw
        guard let reference = raw["loss"] as? Double else {
            // The reference had no value (no valid triplet): TripletKit's documented outcome is 0, zero gradient.
            let ok =
                result.output.value == 0 && result.output.stats.activeCount == 0
                && result.output.gradient.scalars.allSatisfy { $0 == 0 }
            return ok
                ? nil
                : "reference reports no value (\(raw["skipped"] ?? raw["skip"] ?? "")), got loss \(result.output.value)"
        }
        var problems: [String] = []
        let value = Double(result.output.value)
        if !(abs(value - reference) <= max(1e-4 * abs(reference), 1e-6)) {
            problems.append("loss \(value) vs \(reference)")
        }
        if let grad = raw["grad"] as? [[Double]] {
            let ref = grad.flatMap { $0 }
            if ref.count != result.output.gradient.scalars.count {
                problems.append("gradient has \(result.output.gradient.scalars.count) entries, reference \(ref.count)")
            } else {
                let largest = ref.map(abs).max() ?? 0
                let worst = zip(ref, result.output.gradient.scalars).map { abs($0 - Double($1)) }.max() ?? 0
                if !(worst <= 1e-4 * largest + 1e-7) {
                    problems.append("gradient off by \(worst) (largest entry \(largest))")
                }
            }
        }
        if let count = raw["mined_count"] as? Int {
            if let mined = result.mined?.sorted() {
                if let inline = raw["mined"] as? [[Int]] {
                    let expected = inline.map { Triplet($0[0], $0[1], $0[2]) }
                    if mined != expected {
                        let extra = Set(mined).subtracting(expected).sorted().prefix(3)
                        let missing = Set(expected).subtracting(mined).sorted().prefix(3)
                        problems.append(
                            "mined \(mined.count) vs \(expected.count); extra \(Array(extra)), missing \(Array(missing))"
                        )
                    }
                } else if mined.count != count {
                    problems.append("mined \(mined.count) triplets, reference \(count)")
                }
                if let sha = raw["mined_sha256"] as? String, Self.digest(mined) != sha {
                    problems.append("mined triplets' SHA-256 differs")
                }
            } else {
                problems.append("the reference lists mined triplets, the mapping has no miner")
            }
        }
        return problems.isEmpty ? nil : problems.joined(separator: "; ")
    }

    /// SHA-256 of sorted triplets packed as little-endian Int32 a, p, n, …
    static func digest(_ triplets: [Triplet]) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(12 * triplets.count)
        for t in triplets {
            for v in [t.anchor, t.positive, t.negative] {
                let u = UInt32(truncatingIfNeeded: Int32(v))
                bytes += [UInt8(u & 0xFF), UInt8((u >> 8) & 0xFF), UInt8((u >> 16) & 0xFF), UInt8(u >> 24)]
            }
        }
        return SHA256.hex(bytes)
    }

    @Test func sha256MatchesKnownDigests() {
        #expect(SHA256.hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
