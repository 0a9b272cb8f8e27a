import ArgumentParser
import Foundation
import TripletKit

/// `triplet bench linear`: the linear learners on given comparisons, scored on held-out comparisons.
struct BenchLinear: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "linear",
        abstract: "Fit Schultz–Joachims and OASIS on comparisons; print held-out accuracy and time as JSON.",
        discussion: """
            Benchmarks/reference/relative_comparisons_bench.py writes the inputs (scikit-learn's digits), runs \
            metric-learn's SCML and LSML on the same comparisons, and calls this command.

            Example:
              triplet bench linear --train train_x.npy \\
                --comparisons train_cmp.npy --held-out held_x.npy \\
                --held-out-labels held_y.npy \\
                --held-out-comparisons held_cmp.npy --c 0.1
            """
    )

    @Option(help: "Training features [N, D] (NPY).") var train: String
    @Option(help: "Training comparisons [M, 3] (integer NPY: anchor, positive, negative).") var comparisons: String
    @Option(help: "Held-out features [H, D] (NPY).") var heldOut: String
    @Option(help: "Held-out labels [H] (integer NPY), for the retrieval comparison of OASIS's scorings.")
    var heldOutLabels: String
    @Option(help: "Held-out comparisons [K, 3] among the held-out samples.") var heldOutComparisons: String
    @Option(name: .customLong("c"), help: "C values of Schultz–Joachims, comma-separated.") var c = "0.1"
    @Option(help: "The full variant's step size.") var fullLearningRate = 0.1
    @Option(help: "OASIS's aggressiveness C.") var oasisC: Float = 0.1
    @Option(help: "OASIS's passes over the comparisons.") var oasisPasses = 1

    func run() throws {
        let x = try NPY.readTensor(contentsOf: URL(fileURLWithPath: train))
        let held = try NPY.readTensor(contentsOf: URL(fileURLWithPath: heldOut))
        let labels = try NPY.readLabels(contentsOf: URL(fileURLWithPath: heldOutLabels))
        let list = try Self.comparisons(comparisons), test = try Self.comparisons(heldOutComparisons)
        let d = x.rowWidth
        var rows: [[String: Any]] = []
        let identity = try LinearProjection.diagonal([Double](repeating: 1, count: d))
        rows.append([
            "method": "identity (TripletKit check)", "accuracy": try Self.accuracy(held, test, projection: identity),
            "seconds": 0,
        ])
        for value in c.split(separator: ",").compactMap({ Double($0) }) {
            let start = Date()
            let metric = try RelativeComparisons(c: value).fit(features: x, comparisons: list)
            let seconds = Date().timeIntervalSince(start)
            rows.append([
                "method": "TripletKit Schultz-Joachims C=\(value)", "seconds": seconds,
                "accuracy": try Self.accuracy(held, test, projection: try LinearProjection.diagonal(metric.weights)),
                "objective": metric.objective, "gap": metric.dualityGap, "iterations": metric.iterations,
            ])
        }
        for value in c.split(separator: ",").compactMap({ Double($0) }) {
            let start = Date()
            let fitted = try LowRankRelativeComparisons(c: value, learningRate: fullLearningRate)
                .fit(features: x, comparisons: list)
            let seconds = Date().timeIntervalSince(start)
            let l = try Tensor(shape: [fitted.rank, d], scalars: fitted.projection)
            rows.append([
                "method": "TripletKit Schultz-Joachims full L (subgradient) C=\(value)", "seconds": seconds,
                "accuracy": try Self.accuracy(held, test, projection: l), "mean_hinge": fitted.meanHinge,
            ])
        }
        let start = Date()
        var oasis = try OASIS(dimension: d, aggressiveness: oasisC)
        for _ in 0..<oasisPasses { try oasis.train(features: x, comparisons: list) }
        let seconds = Date().timeIntervalSince(start)
        let factor = try LinearProjection.psdFactor(of: oasis.weights, dimension: d)
        let w = try Tensor(shape: [d, d], scalars: oasis.weights)
        rows.append([
            "method": "TripletKit OASIS C=\(oasisC) (exact xᵀWy)", "seconds": seconds,
            "accuracy": try Self.bilinearAccuracy(held, test, w),
            "precision_at_1": try Self.precisionAtOne(
                scores: try Self.matmul(held, try Self.matmul(w, held, transposeB: true)), labels),
        ])
        let embedded = try Self.matmul(held, factor, transposeB: true)
        let symmetricScores = try Self.matmul(embedded, embedded, transposeB: true)
        let exactScores = try Self.matmul(held, try Self.matmul(w, held, transposeB: true))
        rows.append([
            "method": "TripletKit OASIS model (PSD part of (W+Wᵀ)/2, dot)", "seconds": seconds,
            "accuracy": try Self.dotAccuracy(embedded, test),
            "precision_at_1": try Self.precisionAtOne(scores: symmetricScores, labels),
            "same_top1_as_exact": Self.sameTop(symmetricScores, exactScores, count: held.rowCount),
            "rank": factor.rowCount,
        ])
        for row in rows {
            let data = try JSONSerialization.data(withJSONObject: row, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        }
    }

    static func comparisons(_ path: String) throws -> [Comparison] {
        guard case .integer(let shape, let values) = try NPY.read(contentsOf: URL(fileURLWithPath: path)),
            shape.count == 2, shape[1] == 3
        else { throw ValidationError("\(path): expected an integer NPY [M, 3]") }
        return stride(from: 0, to: values.count, by: 3).map { Comparison(values[$0], values[$0 + 1], values[$0 + 2]) }
    }

    /// A·B or A·Bᵀ.
    static func matmul(_ a: Tensor, _ b: Tensor, transposeB: Bool = false) throws -> Tensor {
        let m = a.rowCount, k = a.rowWidth, n = transposeB ? b.rowCount : b.rowWidth
        var out = try Tensor(repeating: 0, shape: [m, n])
        a.scalars.withUnsafeBufferPointer { pa in
            b.scalars.withUnsafeBufferPointer { pb in
                out.scalars.withUnsafeMutableBufferPointer { pc in
                    BLAS.gemm(
                        transposeA: false, transposeB: transposeB, m: m, n: n, k: k, alpha: 1, a: pa.baseAddress!,
                        lda: k, b: pb.baseAddress!, ldb: b.rowWidth, beta: 0, c: pc.baseAddress!, ldc: n)
                }
            }
        }
        return out
    }

    /// Fraction of comparisons with ‖P(a − n)‖ > ‖P(a − p)‖.
    static func accuracy(_ x: Tensor, _ test: [Comparison], projection: Tensor) throws -> Double {
        let e = try matmul(x, projection, transposeB: true)
        let right = test.filter { squared(e, $0.anchor, $0.negative) > squared(e, $0.anchor, $0.positive) }.count
        return Double(right) / Double(test.count)
    }

    static func squared(_ e: Tensor, _ i: Int, _ j: Int) -> Double {
        (0..<e.rowWidth).reduce(0.0) { $0 + pow(Double(e[i, $1] - e[j, $1]), 2) }
    }

    /// Fraction with aᵀW p > aᵀW n.
    static func bilinearAccuracy(_ x: Tensor, _ test: [Comparison], _ w: Tensor) throws -> Double {
        let s = try matmul(x, try matmul(w, x, transposeB: true))  // s[i, j] = x_iᵀ W x_j
        let right = test.filter { s[$0.anchor, $0.positive] > s[$0.anchor, $0.negative] }
        return Double(right.count) / Double(test.count)
    }

    /// Fraction with e_a·e_p > e_a·e_n.
    static func dotAccuracy(_ e: Tensor, _ test: [Comparison]) throws -> Double {
        func dot(_ i: Int, _ j: Int) -> Float { (0..<e.rowWidth).reduce(0) { $0 + e[i, $1] * e[j, $1] } }
        return Double(test.filter { dot($0.anchor, $0.positive) > dot($0.anchor, $0.negative) }.count)
            / Double(test.count)
    }

    /// The most similar other sample of each query.
    static func top(_ scores: Tensor, _ q: Int) -> Int {
        var best = -1
        for j in 0..<scores.rowWidth where j != q && (best < 0 || scores[q, j] > scores[q, best]) {
            best = j
        }
        return best
    }

    static func precisionAtOne(scores: Tensor, _ labels: [Int]) throws -> Double {
        Double((0..<labels.count).filter { labels[top(scores, $0)] == labels[$0] }.count) / Double(labels.count)
    }

    static func sameTop(_ a: Tensor, _ b: Tensor, count: Int) -> Double {
        Double((0..<count).filter { top(a, $0) == top(b, $0) }.count) / Double(count)
    }
}
