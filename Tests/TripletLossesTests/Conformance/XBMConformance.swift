import Foundation
import TripletCore

@testable import TripletLosses

/// The sequence cases of `cases-xbm/` (SCHEMA.md, "Cross-batch memory"): one fresh `CrossBatchMemory` per
/// record, the case's batches fed in order, each step's loss, gradient and mined rows compared.
enum XBMConformance {
    static let family = "pml.CrossBatchMemory"

    /// Nil when every step of the record passes, else what differs or why it could not be mapped.
    static func run(case batch: [String: Any], record raw: [String: Any]) -> String? {
        do {
            let problems = try check(batch, FamilyRecord(raw: raw))
            return problems.isEmpty ? nil : problems.joined(separator: "; ")
        } catch {
            return "\(error)"
        }
    }

    static func check(_ batch: [String: Any], _ record: FamilyRecord) throws -> [String] {
        let memory = try makeMemory(record)
        let inputs = try FamilyRecord(raw: batch).field("steps", as: [[String: Any]].self)
        let expected = try record.field("steps", as: [[String: Any]].self)
        guard inputs.count == expected.count else {
            return ["\(inputs.count) batches but \(expected.count) reference steps"]
        }
        var problems: [String] = []
        for (index, (input, reference)) in zip(inputs, expected).enumerated() {
            let step = FamilyRecord(raw: input), ref = FamilyRecord(raw: reference)
            let result = try memory.step(try step.tensor("embeddings"), labels: try step.field("labels"))
            var found = try ref.compare(result.output)
            let mined = ReferenceListing(result.selection, result.batch)
            found += try compareRows("triplets", mined.triplets?.map { [$0.anchor, $0.positive, $0.negative] }, ref)
            found += try compareRows("pos_pairs", mined.positivePairs?.map { [$0.first, $0.second] }, ref)
            found += try compareRows("neg_pairs", mined.negativePairs?.map { [$0.first, $0.second] }, ref)
            problems += found.map { "step \(index): \($0)" }
        }
        return problems
    }

    /// The memory a record describes; unknown params, losses or miners are failures.
    static func makeMemory(_ record: FamilyRecord) throws -> CrossBatchMemory {
        let params = try record.params(known: [
            "loss", "margin", "pos_margin", "neg_margin", "temperature", "miner", "miner_margin", "type_of_triplets",
            "epsilon", "memory_size",
        ])
        func number(_ key: String, _ fallback: Float) -> Float {
            (params[key] as? Double).map(Float.init) ?? fallback
        }
        let loss: any CrossBatchLoss
        switch params["loss"] as? String {
        case "TripletMarginLoss": loss = TripletMarginLoss(margin: number("margin", 0.05))
        case "ContrastiveLoss":
            loss = ContrastiveLoss(positiveMargin: number("pos_margin", 0), negativeMargin: number("neg_margin", 1))
        case "NTXentLoss": loss = NTXentLoss(temperature: number("temperature", 0.07))
        case let other: throw ConformanceRecord.Unsupported(description: "unknown loss \(other ?? "nil")")
        }
        let miner: (any CrossBatchMiner)?
        switch params["miner"] as? String ?? "none" {
        case "none": miner = nil
        case "TripletMarginMiner":
            let name = params["type_of_triplets"] as? String ?? "all"
            guard let type = TripletMarginMiner.TripletType(rawValue: name) else {
                throw ConformanceRecord.Unsupported(description: "unknown type_of_triplets \(name)")
            }
            miner = TripletMarginMiner(margin: number("miner_margin", 0.2), type: type)
        case "BatchHardMiner": miner = BatchHardMiner()
        case "MultiSimilarityMiner": miner = MultiSimilarityMiner(epsilon: number("epsilon", 0.1))
        case let other: throw ConformanceRecord.Unsupported(description: "unknown miner \(other)")
        }
        guard let size = params["memory_size"] as? Int else {
            throw ConformanceRecord.Unsupported(description: "missing memory_size")
        }
        return try CrossBatchMemory(loss: loss, miner: miner, memorySize: size, threads: 1)
    }

    /// Mined rows equal to the reference's list, or its count and SHA-256 when the list was left out.
    static func compareRows(_ key: String, _ rows: [[Int]]?, _ reference: FamilyRecord) throws -> [String] {
        guard let count = reference.raw["\(key)_count"] as? Int else { return [] }
        guard let rows = rows?.sorted(by: { $0.lexicographicallyPrecedes($1) }) else {
            return ["the reference lists \(key), the selection has none"]
        }
        if let listed = reference.raw[key] as? [[Int]] {
            let expected = listed.sorted(by: { $0.lexicographicallyPrecedes($1) })
            if rows != expected {
                let extra = rows.filter { !expected.contains($0) }.prefix(3)
                let missing = expected.filter { !rows.contains($0) }.prefix(3)
                return ["\(key): \(rows.count) vs \(expected.count); extra \(Array(extra)), missing \(Array(missing))"]
            }
        } else if rows.count != count {
            return ["\(key): \(rows.count) vs \(count)"]
        }
        if let sha = reference.raw["\(key)_sha256"] as? String, digest(rows) != sha {
            return ["\(key): SHA-256 differs"]
        }
        return []
    }

    /// SHA-256 of rows packed as little-endian Int32.
    static func digest(_ rows: [[Int]]) -> String {
        var bytes: [UInt8] = []
        for v in rows.joined() {
            let u = UInt32(truncatingIfNeeded: Int32(v))
            bytes += [UInt8(u & 0xFF), UInt8((u >> 8) & 0xFF), UInt8((u >> 16) & 0xFF), UInt8(u >> 24)]
        }
        return SHA256.hex(bytes)
    }
}

/// A selection as PML's indices tuple: triplets, or positive and negative pairs (B³ at worst: for tests).
struct ReferenceListing {
    var triplets: [Triplet]?
    var positivePairs: [Pair]?
    var negativePairs: [Pair]?

    init(_ selection: ReferenceSelection, _ batch: ReferenceBatch) {
        switch selection {
        case .triplets(let list): triplets = list
        case .pairs(let counts):
            var positives: [Pair] = [], negatives: [Pair] = []
            for a in 0..<batch.rows {
                for r in 0..<batch.columns where counts[a, r] > 0 {
                    for _ in 0..<counts[a, r] {
                        if batch.referenceLabels[r] == batch.labels[a] {
                            positives.append(Pair(a, r))
                        } else {
                            negatives.append(Pair(a, r))
                        }
                    }
                }
            }
            (positivePairs, negativePairs) = (positives, negatives)
        case .tripletRange(let counts, let range, let distance):
            let d = try! batch.matrix(distance), m = batch.columns
            var list: [Triplet] = []
            for a in 0..<batch.rows {
                for p in 0..<m where counts[a, p] > 0 && batch.referenceLabels[p] == batch.labels[a] {
                    for n in 0..<m where counts[a, n] > 0 && batch.referenceLabels[n] != batch.labels[a] {
                        let dap = d.dissimilarities[a * m + p], dan = d.dissimilarities[a * m + n]
                        guard range.contains(positive: dap, negative: dan) else { continue }
                        for _ in 0..<(Int(counts[a, p]) * Int(counts[a, n])) { list.append(Triplet(a, p, n)) }
                    }
                }
            }
            triplets = list
        }
    }
}
