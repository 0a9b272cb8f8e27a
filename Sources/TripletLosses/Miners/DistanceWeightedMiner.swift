import Foundation
import TripletCore

/// Distance-weighted sampling (Wu et al. 2017; PML's `DistanceWeightedMiner`): for every (anchor, positive)
/// pair, one negative drawn with probability ∝ 1/q(d), where q(d) ∝ d^(D−2)·(1 − d²/4)^((D−3)/2) is the
/// density of distances between points uniform on the unit sphere. Distances are clamped below at
/// `cutoff`, and negatives at `nonzeroLossCutoff` or beyond get weight 0. An anchor whose weights are all
/// zero draws uniformly among its negatives. Meant for L2-normalised embeddings and the Euclidean distance.
///
/// The draws come from a seeded generator owned by the miner, so a run with the same seed repeats.
public final class DistanceWeightedMiner: TripletMiner, @unchecked Sendable {
    /// Distances below this are raised to it (PML default 0.5).
    public let cutoff: Float
    /// Negatives at this distance or more are never drawn (PML default 1.4).
    public let nonzeroLossCutoff: Float
    private var generator: SeededGenerator
    private let lock = NSLock()

    /// A miner whose draws are fixed by `seed`.
    public init(cutoff: Float = 0.5, nonzeroLossCutoff: Float = 1.4, seed: UInt64 = 0) {
        self.cutoff = cutoff
        self.nonzeroLossCutoff = nonzeroLossCutoff
        generator = SeededGenerator(seed: seed)
    }

    /// Throws when an option is out of range.
    public func validate() throws {
        try BatchValidation.check("cutoff", cutoff, atLeast: 0, exclusive: true)
        try BatchValidation.check("nonzeroLossCutoff", nonzeroLossCutoff, atLeast: cutoff, exclusive: true)
    }

    /// The triplets selected for a batch whose distances and labels are given.
    public func mine(_ distances: DistanceMatrix, labels: [Int]) -> MinedTriplets {
        lock.lock()
        defer { lock.unlock() }
        let n = distances.count
        let dim = Double(distances.points.rowWidth)
        var out: [Triplet] = []
        var weights = [Double](repeating: 0, count: n)
        for a in 0..<n {
            let label = labels[a]
            var logs = [Double](repeating: -.infinity, count: n)
            var maxLog = -Double.infinity
            for j in 0..<n where labels[j] != label {
                let raw = distances.dissimilarities[a * n + j]
                guard raw < nonzeroLossCutoff else { continue }
                let d = Double(max(raw, cutoff))
                let l = (2 - dim) * log(d) - (dim - 3) / 2 * log(max(1 - 0.25 * d * d, 1e-30))
                logs[j] = l
                maxLog = max(maxLog, l)
            }
            var total = 0.0
            for j in 0..<n {
                weights[j] = logs[j] == -.infinity ? 0 : exp(logs[j] - maxLog)
                total += weights[j]
            }
            let negatives = (0..<n).filter { labels[$0] != label }
            guard !negatives.isEmpty else { continue }
            for p in 0..<n where p != a && labels[p] == label {
                let q: Int
                if total > 0 && total.isFinite {
                    var r = Double.random(in: 0..<total, using: &generator)
                    var pick = negatives.last!
                    for j in negatives {
                        r -= weights[j]
                        if r < 0 && weights[j] > 0 { pick = j; break }
                    }
                    q = pick
                } else {
                    q = negatives[Int.random(in: 0..<negatives.count, using: &generator)]
                }
                out.append(Triplet(a, p, q))
            }
        }
        return .list(out)
    }
}
