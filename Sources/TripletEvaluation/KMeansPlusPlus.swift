import Foundation
import TripletCore

/// Greedy k-means++ seeding (Arthur & Vassilvitskii 2007, as scikit-learn's `_kmeans_plusplus`): the first
/// centre uniformly at random; every next one the best, by the potential it leaves, of 2 + ⌊ln k⌋
/// candidates drawn with probability proportional to their squared distance to the closest centre so far.
enum KMeansPlusPlus {
    /// The indices of the `k` points chosen as initial centres.
    static func seed(_ points: KMeansPoints, k: Int, using generator: inout SeededGenerator) -> [Int] {
        let n = points.count
        let trials = 2 + Int(log(Double(k)))
        var chosen = [Int.random(in: 0..<n, using: &generator)]
        var closest = points.squaredDistances(from: Array(points.row(chosen[0]))).map(Double.init)
        var potential = closest.reduce(0, +)
        while chosen.count < k {
            var cumulative = [Double](repeating: 0, count: n)
            var running = 0.0
            for i in 0..<n {
                running += closest[i]
                cumulative[i] = running
            }
            // numpy's searchsorted (left): the first index whose cumulative sum reaches the draw.
            let candidates = (0..<trials).map { _ -> Int in
                let target = Double.random(in: 0..<1, using: &generator) * potential
                var lo = 0, hi = n
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if cumulative[mid] < target { lo = mid + 1 } else { hi = mid }
                }
                return min(lo, n - 1)
            }
            let distances = points.squaredDistances(from: candidates.flatMap { points.row($0) })
            var bestPotential = Double.infinity, best = 0
            for t in 0..<trials {
                var p = 0.0
                for i in 0..<n { p += min(closest[i], Double(distances[t * n + i])) }
                if p < bestPotential {
                    bestPotential = p
                    best = t
                }
            }
            for i in 0..<n { closest[i] = min(closest[i], Double(distances[best * n + i])) }
            potential = bestPotential
            chosen.append(candidates[best])
        }
        return chosen
    }
}
