import Foundation
import TripletCore

@testable import TripletLosses

/// One record of a conformance case file (../shared/conformance/SCHEMA.md), mapped onto TripletKit's API.
struct ConformanceRecord {
    let file: String
    let name: String
    let family: String
    let params: [String: Any]
    let raw: [String: Any]

    /// A record whose family or params this runner cannot map: a failure, never a skip.
    struct Unsupported: Error, CustomStringConvertible {
        let description: String
    }

    /// What the library computed for the record, and the triplets its miner selected (if any).
    struct Result {
        var output: LossOutput
        var mined: [Triplet]?
    }

    func evaluate(embeddings e: Tensor, labels: [Int]) throws -> Result {
        if let known = Self.knownParams[family], case let unknown = Set(params.keys).subtracting(known),
            !unknown.isEmpty
        {
            throw Unsupported(description: "unknown params \(unknown.sorted()) for \(family)")
        }
        switch family {
        case "torch.nn.TripletMarginLoss":
            let loss = ExplicitTripletMarginLoss(
                margin: try float("margin"), p: try float("p"), eps: try float("eps"), swap: try bool("swap"),
                reduction: try reduction())
            let triplets =
                try (raw["triplets"] as? [[Int]])?.map { t -> Triplet in
                    guard t.count == 3 else { throw Unsupported(description: "triplet \(t) is not (a, p, n)") }
                    return Triplet(t[0], t[1], t[2])
                } ?? Triplet.allValid(labels: labels)
            return Result(output: try loss(e, triplets: triplets), mined: nil)

        case "pml.TripletMarginLoss":
            let distance = try Self.distance(try string("distance"))
            let miner = try tripletMiner()
            let loss = TripletMarginLoss(
                margin: try float("margin"), distance: distance, miner: miner, reducer: try reducer(),
                smooth: try bool("smooth_loss"), swap: try bool("swap"))
            let mined = try miner?.triplets(embeddings: e, labels: labels, distance: distance)
            return Result(output: try loss(e, labels: labels), mined: mined)

        case "pml.ContrastiveLoss":
            let distance = try Self.distance(try string("distance"))
            let loss = ContrastiveLoss(
                positiveMargin: try float("pos_margin"), negativeMargin: try float("neg_margin"),
                distance: distance, miner: try pairMiner(), reducer: try reducer())
            return Result(output: try loss(e, labels: labels), mined: nil)

        case "pml.NTXentLoss":
            let loss = NTXentLoss(
                temperature: try float("temperature"), distance: try Self.distance(try string("distance")),
                reducer: try reducer())
            return Result(output: try loss(e, labels: labels), mined: nil)

        case "MultipleNegativesRankingLoss (own)":
            guard try string("pairs") == "(2i, 2i+1)" else {
                throw Unsupported(description: "pairs \(params["pairs"] ?? "")")
            }
            let distance: Distance
            switch try string("similarity") {
            case "cosine": distance = .cosine
            case "dot": distance = .dotProduct()
            case let other: throw Unsupported(description: "similarity \(other)")
            }
            return Result(
                output: try MultipleNegativesRankingLoss(scale: try float("scale"), distance: distance)(e), mined: nil)

        case "BatchHardSoftMargin (own, Hermans 2017)":
            let normalized = try bool("normalize")
            let distance: Distance
            switch try string("distance") {
            case "euclidean": distance = .euclidean(normalized: normalized)
            case "squared_euclidean", "sqeuclidean": distance = .squaredEuclidean(normalized: normalized)
            case let other: throw Unsupported(description: "distance \(other)")
            }
            let mined = try BatchHardMiner().triplets(embeddings: e, labels: labels, distance: distance)
            return Result(output: try BatchHardSoftMarginLoss(distance: distance)(e, labels: labels), mined: mined)

        default:
            throw Unsupported(description: "unknown family '\(family)'")
        }
    }

    // MARK: params

    private func value(_ key: String) throws -> Any {
        guard let v = params[key], !(v is NSNull) else { throw Unsupported(description: "missing param '\(key)'") }
        return v
    }

    private func float(_ key: String) throws -> Float {
        guard let n = try value(key) as? NSNumber else {
            throw Unsupported(description: "param '\(key)' is not a number")
        }
        return n.floatValue
    }

    private func bool(_ key: String) throws -> Bool {
        guard let b = try value(key) as? Bool else { throw Unsupported(description: "param '\(key)' is not a boolean") }
        return b
    }

    private func string(_ key: String) throws -> String {
        guard let s = try value(key) as? String else {
            throw Unsupported(description: "param '\(key)' is not a string")
        }
        return s
    }

    private func reduction() throws -> ExplicitTripletMarginLoss.Reduction {
        guard let r = ExplicitTripletMarginLoss.Reduction(rawValue: try string("reduction")) else {
            throw Unsupported(description: "reduction \(params["reduction"] ?? "")")
        }
        return r
    }

    /// PML reducer names, including "MultipleReducers(pos_loss: X, neg_loss: X), summed" with equal parts.
    private func reducer() throws -> Reducer {
        let text = try string("reducer")
        let names: [String: Reducer] = ["AvgNonZero": .meanNonZero, "Mean": .mean, "Sum": .sum]
        if text.hasPrefix("MultipleReducers(") {
            let parts = Set(names.keys.filter { text.contains(": \($0)") }.compactMap { names[$0] })
            guard parts.count == 1, let only = parts.first, text.hasSuffix("summed") else {
                throw Unsupported(description: "reducer \(text)")
            }
            return only
        }
        for (name, reducer) in names where text == name + "Reducer" || text == name + "Reducer()" { return reducer }
        throw Unsupported(description: "reducer \(text)")
    }

    private func tripletMiner() throws -> (any TripletMiner)? {
        guard let spec = params["miner"], !(spec is NSNull) else { return nil }
        guard let dict = spec as? [String: Any], let type = dict["type"] as? String else {
            throw Unsupported(description: "miner \(spec)")
        }
        switch type {
        case "TripletMarginMiner":
            guard let margin = (dict["margin"] as? NSNumber)?.floatValue,
                let kind = TripletMarginMiner.TripletType(rawValue: dict["type_of_triplets"] as? String ?? "")
            else { throw Unsupported(description: "miner \(dict)") }
            return TripletMarginMiner(margin: margin, type: kind)
        case "BatchHardMiner":
            return BatchHardMiner()
        case "BatchEasyHardMiner":
            guard let pos = BatchEasyHardMiner.Strategy(rawValue: dict["pos_strategy"] as? String ?? "easy"),
                let neg = BatchEasyHardMiner.Strategy(rawValue: dict["neg_strategy"] as? String ?? "semihard")
            else { throw Unsupported(description: "miner \(dict)") }
            return BatchEasyHardMiner(
                positive: pos, negative: neg, allowedPositiveRange: try Self.range(dict["allowed_pos_range"]),
                allowedNegativeRange: try Self.range(dict["allowed_neg_range"]))
        default:
            throw Unsupported(description: "miner type \(type)")
        }
    }

    /// `null` or `[low, high]`.
    private static func range(_ value: Any?) throws -> ClosedRange<Float>? {
        guard let value, !(value is NSNull) else { return nil }
        guard let pair = value as? [NSNumber], pair.count == 2, pair[0].floatValue <= pair[1].floatValue else {
            throw Unsupported(description: "range \(value)")
        }
        return pair[0].floatValue...pair[1].floatValue
    }

    /// Contrastive's optional pair miner.
    private func pairMiner() throws -> (any PairMiner)? {
        guard let spec = params["miner"], !(spec is NSNull) else { return nil }
        guard let dict = spec as? [String: Any], dict["type"] as? String == "MultiSimilarityMiner" else {
            throw Unsupported(description: "pair miner \(spec)")
        }
        return MultiSimilarityMiner(epsilon: (dict["epsilon"] as? NSNumber)?.floatValue ?? 0.1)
    }

    /// The params each family understands: anything else is a record this runner cannot map.
    static let knownParams: [String: Set<String>] = [
        "torch.nn.TripletMarginLoss": ["margin", "p", "eps", "swap", "reduction"],
        "pml.TripletMarginLoss": ["margin", "swap", "smooth_loss", "distance", "reducer", "miner"],
        "pml.ContrastiveLoss": ["pos_margin", "neg_margin", "distance", "reducer", "miner"],
        "pml.NTXentLoss": ["temperature", "distance", "reducer"],
        "MultipleNegativesRankingLoss (own)": ["scale", "similarity", "pairs"],
        "BatchHardSoftMargin (own, Hermans 2017)": ["distance", "normalize"],
    ]

    /// PML distance reprs: `LpDistance(p=2, power=1, normalize_embeddings=True)`, `CosineSimilarity()`,
    /// `DotProductSimilarity(normalize_embeddings=False)`.
    static func distance(_ text: String) throws -> Distance {
        let name = String(text.prefix { $0 != "(" })
        var args: [String: String] = [:]
        if let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")") {
            for item in text[text.index(after: open)..<close].split(separator: ",") {
                let kv = item.split(separator: "=").map { $0.trimmingCharacters(in: .whitespaces) }
                guard kv.count == 2 else { throw Unsupported(description: "distance argument '\(item)' in \(text)") }
                args[kv[0]] = kv[1]
            }
        }
        func flag(_ key: String, default value: Bool) throws -> Bool {
            switch args.removeValue(forKey: key) {
            case nil: return value
            case "True": return true
            case "False": return false
            case let other: throw Unsupported(description: "\(key)=\(other ?? "") in \(text)")
            }
        }
        let normalize = try flag("normalize_embeddings", default: true)
        let result: Distance
        switch name {
        case "LpDistance":
            let p = args.removeValue(forKey: "p") ?? "2", power = args.removeValue(forKey: "power") ?? "1"
            guard ["2", "2.0"].contains(p) else { throw Unsupported(description: "p=\(p) in \(text)") }
            switch power {
            case "1", "1.0": result = .euclidean(normalized: normalize)
            case "2", "2.0": result = .squaredEuclidean(normalized: normalize)
            default: throw Unsupported(description: "power=\(power) in \(text)")
            }
        case "CosineSimilarity":
            guard normalize else { throw Unsupported(description: text) }
            result = .cosine
        case "DotProductSimilarity":
            result = .dotProduct(normalized: normalize)
        default:
            throw Unsupported(description: "distance \(text)")
        }
        guard args.isEmpty else { throw Unsupported(description: "unknown arguments \(args.keys.sorted()) in \(text)") }
        return result
    }
}
