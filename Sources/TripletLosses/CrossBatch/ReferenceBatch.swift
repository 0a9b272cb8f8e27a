import TripletCore

/// One step of cross-batch memory as its miners and losses see it: the batch's anchors and labels, the
/// references (the memory's filled rows) and their labels, and the slot each anchor was just written to
/// (its own copy, which is never one of its pairs). Matrices are computed once per distance.
final class ReferenceBatch {
    let anchors: Tensor
    let labels: [Int]
    let references: Tensor
    let referenceLabels: [Int]
    /// `selfSlots[a]` is the reference row holding anchor a's own embedding.
    let selfSlots: [Int]
    let threads: Int
    private var matrices: [ReferenceDistances] = []

    init(anchors: Tensor, labels: [Int], references: Tensor, referenceLabels: [Int], selfSlots: [Int], threads: Int) {
        self.anchors = anchors
        self.labels = labels
        self.references = references
        self.referenceLabels = referenceLabels
        self.selfSlots = selfSlots
        self.threads = threads
    }

    var rows: Int { labels.count }
    var columns: Int { referenceLabels.count }

    /// The anchors-by-references matrix of `distance`.
    func matrix(_ distance: Distance) throws -> ReferenceDistances {
        if let known = matrices.first(where: { $0.distance == distance }) { return known }
        let made = try ReferenceDistances(
            anchors: anchors, references: references, distance: distance, threads: threads)
        matrices.append(made)
        return made
    }

    /// Every anchor–reference pair once, except each anchor with its own slot.
    func allPairs() -> PairCounts {
        var counts = PairCounts(rows: rows, columns: columns, value: 1)
        for a in 0..<rows { counts[a, selfSlots[a]] = 0 }
        return counts
    }

    /// Mean raw distance over positive (same label, not self) and negative pairs of `matrix`.
    func stats(_ matrix: ReferenceDistances, candidates: Int, active: Int) -> LossStats {
        let m = columns
        var positive = 0.0, total = 0.0, positives = 0
        matrix.dissimilarities.withUnsafeBufferPointer { d in
            referenceLabels.withUnsafeBufferPointer { refs in
                for a in 0..<rows {
                    let row = d.baseAddress! + a * m, label = labels[a], own = selfSlots[a]
                    total += Double(VectorMath.sum(row, m)) - Double(row[own])
                    for r in 0..<m where refs[r] == label && r != own {
                        positive += Double(row[r])
                        positives += 1
                    }
                }
            }
        }
        let negatives = rows * (m - 1) - positives
        let sign = matrix.distance.isSimilarity ? -1.0 : 1.0
        return LossStats(
            candidateCount: candidates, activeCount: active,
            meanPositiveDistance: positives > 0 ? sign * positive / Double(positives) : 0,
            meanNegativeDistance: negatives > 0 ? sign * (total - positive) / Double(negatives) : 0)
    }
}

/// How often each anchor–reference pair is selected (B×M): a pair is positive when the labels agree.
struct PairCounts {
    let rows: Int
    let columns: Int
    var counts: [Int32]

    init(rows: Int, columns: Int, value: Int32 = 0) {
        self.rows = rows
        self.columns = columns
        counts = [Int32](repeating: value, count: rows * columns)
    }

    subscript(a: Int, r: Int) -> Int32 {
        get { counts[a * columns + r] }
        set { counts[a * columns + r] = newValue }
    }
}

/// What a miner selects between a batch and its references, after each anchor's own slot is removed.
enum ReferenceSelection {
    /// Exactly these (anchor row, positive reference, negative reference) triplets.
    case triplets([Triplet])
    /// Pairs with multiplicities.
    case pairs(PairCounts)
    /// Every triplet (a, p, n) of a positive and a negative pair of the same anchor, counted
    /// count(a, p)·count(a, n) times, whose margin d'(a, n) − d'(a, p) under `distance` lies in `range`.
    case tripletRange(PairCounts, MarginRange, distance: Distance)

    /// The selection as pairs, as PML's `convert_to_pairs` makes them: a triplet gives its positive and
    /// its negative pair, so a pair is counted once per triplet it is in.
    func pairCounts(_ batch: ReferenceBatch) throws -> PairCounts {
        switch self {
        case .pairs(let counts): return counts
        case .triplets(let list):
            var counts = PairCounts(rows: batch.rows, columns: batch.columns)
            for t in list {
                counts[t.anchor, t.positive] += 1
                counts[t.anchor, t.negative] += 1
            }
            return counts
        case .tripletRange(let counts, let range, let distance):
            let matrix = try batch.matrix(distance), m = batch.columns
            var out = PairCounts(rows: batch.rows, columns: m)
            out.counts.withUnsafeMutableBufferPointer { o in
                let base = o.baseAddress!
                batch.sweepAnchors(matrix, counts) { sweep, a in sweep.count(range: range, into: base + a * m) }
            }
            return out
        }
    }
}
