import Foundation
import TripletCore

/// The contingency table of two labellings of the same samples: counts per (class, cluster), with the
/// classes and clusters numbered in sorted order of their labels (as `sklearn`'s `contingency_matrix`).
struct Contingency {
    /// Samples.
    let total: Int
    /// Samples per class (rows).
    let rowSums: [Int]
    /// Samples per cluster (columns).
    let columnSums: [Int]
    /// The non-zero cells: (class, cluster, count), row-major order.
    let cells: [(row: Int, column: Int, count: Int)]

    /// Throws for empty or differently sized labellings.
    init(labels: [Int], clusters: [Int]) throws {
        guard labels.count == clusters.count else {
            throw TripletError.invalidParameter(
                name: "clusters", value: "\(clusters.count) assignments",
                expected: "one per label (\(labels.count))")
        }
        guard !labels.isEmpty else { throw TripletError.emptyBatch }
        let rowOf = Dictionary(uniqueKeysWithValues: Set(labels).sorted().enumerated().map { ($1, $0) })
        let columnOf = Dictionary(uniqueKeysWithValues: Set(clusters).sorted().enumerated().map { ($1, $0) })
        var counts: [Int: Int] = [:]
        var rows = [Int](repeating: 0, count: rowOf.count), columns = [Int](repeating: 0, count: columnOf.count)
        for (label, cluster) in zip(labels, clusters) {
            let r = rowOf[label]!, c = columnOf[cluster]!
            counts[r * columnOf.count + c, default: 0] += 1
            rows[r] += 1
            columns[c] += 1
        }
        total = labels.count
        rowSums = rows
        columnSums = columns
        cells = counts.sorted { $0.key < $1.key }.map {
            (row: $0.key / columns.count, column: $0.key % columns.count, count: $0.value)
        }
    }

    /// Mutual information in nats, as `sklearn.metrics.mutual_info_score` computes it.
    var mutualInformation: Double {
        if rowSums.count == 1 || columnSums.count == 1 { return 0 }
        let n = Double(total), logN = log(n)
        var sum = 0.0
        for cell in cells {
            let count = Double(cell.count), fraction = count / n
            let outer = Double(rowSums[cell.row]) * Double(columnSums[cell.column])
            let term = fraction * (log(count) - logN) + fraction * (-log(outer) + logN + logN)
            if abs(term) >= Double.ulpOfOne { sum += term }
        }
        return max(sum, 0)
    }

    /// The entropy (nats) of the class labelling.
    var rowEntropy: Double { Self.entropy(rowSums, total) }
    /// The entropy (nats) of the cluster labelling.
    var columnEntropy: Double { Self.entropy(columnSums, total) }

    static func entropy(_ counts: [Int], _ total: Int) -> Double {
        if counts.count == 1 { return 0 }
        let logN = log(Double(total))
        return -counts.reduce(0.0) { $0 + Double($1) / Double(total) * (log(Double($1)) - logN) }
    }

    /// The expected mutual information of two random labellings with these class and cluster sizes (the
    /// hypergeometric model), summed as `sklearn`'s `expected_mutual_information` does: every term in
    /// log space through log-gamma, so that no factorial overflows.
    var expectedMutualInformation: Double {
        if rowSums.count == 1 || columnSums.count == 1 { return 0 }
        let n = total, nD = Double(n)
        let largest = max(rowSums.max()!, columnSums.max()!)
        let logNnij = (0...largest).map { log(nD) + log(Double(max($0, 1))) }
        let glnNnij = (0...largest).map { logGamma(Double(max($0, 1)) + 1) + logGamma(nD + 1) }
        let glnA = rowSums.map { logGamma(Double($0) + 1) }, glnNA = rowSums.map { logGamma(nD - Double($0) + 1) }
        let glnB = columnSums.map { logGamma(Double($0) + 1) }, glnNB = columnSums.map { logGamma(nD - Double($0) + 1) }
        var emi = 0.0
        for (i, a) in rowSums.enumerated() {
            let logA = log(Double(a))
            for (j, b) in columnSums.enumerated() {
                let logB = log(Double(b))
                let start = max(1, a - n + b), end = min(a, b)
                guard start <= end else { continue }
                for nij in start...end {
                    let term2 = logNnij[nij] - logA - logB
                    let gln =
                        glnA[i] + glnB[j] + glnNA[i] + glnNB[j] - glnNnij[nij] - logGamma(Double(a - nij + 1))
                        - logGamma(Double(b - nij + 1)) - logGamma(Double(n - a - b + nij + 1))
                    emi += Double(nij) / nD * term2 * exp(gln)
                }
            }
        }
        return emi
    }
}

/// log Γ(x) (C's `lgamma`, as scipy's `gammaln` and sklearn's Cython code use).
private func logGamma(_ x: Double) -> Double {
    let f: (Double) -> Double = lgamma
    return f(x)
}
