import TripletCore
import TripletData
import TripletEvaluation
import TripletNetworks

/// Global hard-class mining (FaceNet's offline variant, at the class level): before each epoch the
/// current network embeds a seeded sample of the training set, the exact k-NN of `TripletEvaluation`
/// finds each sample's nearest neighbours, and every class ranks the other classes by how many of its
/// samples' neighbours belong to them. The P×K sampler then puts each batch's first class together with
/// the classes it is most confused with (`PKSampler.batches(epoch:companions:)`), so that semihard and
/// hard negatives come from classes that are still close, not from easy ones.
public struct HardClassMining: Sendable, Equatable, Codable {
    /// Training samples embedded at each refresh (a seeded sample of the set; all when fewer).
    public var poolSize: Int
    /// Neighbours per sample in the k-NN.
    public var neighbors: Int

    /// Mining over `poolSize` samples with `neighbors` neighbours each.
    public init(poolSize: Int = 10_000, neighbors: Int = 10) {
        self.poolSize = poolSize
        self.neighbors = neighbors
    }

    /// Throws unless both sizes are at least 1.
    public func validate() throws {
        guard poolSize >= 2, neighbors >= 1 else {
            throw TripletError.invalidParameter(
                name: "hardClasses", value: "pool \(poolSize), \(neighbors) neighbours",
                expected: "a pool of at least 2 samples and at least 1 neighbour")
        }
    }

    /// For every class (in the order of `classes`), the positions of the other classes that its samples'
    /// nearest neighbours belong to, most frequent first (ties: lower position). Classes whose neighbours
    /// are all their own get an empty list.
    public func companions(
        network: Sequential, inputs: Tensor, labels: [Int], classes: [Int], seed: UInt64, epoch: Int, threads: Int
    ) throws -> [[Int]] {
        var random = SeededGenerator(seed: seed ^ 0x4841_5244 ^ (UInt64(epoch) &* 0x9E37_79B9_7F4A_7C15))
        var pool = Array(0..<labels.count)
        if pool.count > poolSize {
            random.shuffle(&pool)
            pool = Array(pool.prefix(poolSize)).sorted()
        }
        let embeddings = try network.embed(try inputs.rows(pool))
        let k = min(neighbors, pool.count - 1)
        let found = try ExactKNN.search(
            queries: embeddings, references: embeddings, k: k, metric: .cosine, excludeSelf: true,
            threads: threads)
        let position = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: classes.count), count: classes.count)
        for (q, sample) in pool.enumerated() {
            guard let own = position[labels[sample]] else { continue }
            for r in found.neighbors(of: q) where r >= 0 {
                guard let other = position[labels[pool[Int(r)]]], other != own else { continue }
                confusion[own][other] += 1
            }
        }
        return confusion.map { row in
            row.indices.filter { row[$0] > 0 }.sorted { (row[$1], $0) < (row[$0], $1) }
        }
    }
}
