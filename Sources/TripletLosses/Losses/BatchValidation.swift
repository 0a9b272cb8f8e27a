import TripletCore

/// Input checks shared by every loss and miner.
enum BatchValidation {
    /// Throws unless `embeddings` is a finite, non-empty [B, D] matrix and there is one label per row.
    static func check(_ embeddings: Tensor, labels: [Int]) throws {
        try embeddings.validateEmbeddings()
        guard labels.count == embeddings.rowCount else {
            throw TripletError.labelCountMismatch(embeddings: embeddings.rowCount, labels: labels.count)
        }
    }

    /// Throws unless `value` is finite and at least `minimum`.
    static func check(_ name: String, _ value: Float, atLeast minimum: Float, exclusive: Bool = false) throws {
        let ok = value.isFinite && (exclusive ? value > minimum : value >= minimum)
        guard ok else {
            throw TripletError.invalidParameter(
                name: name, value: "\(value)", expected: "a finite number \(exclusive ? ">" : ">=") \(minimum)")
        }
    }
}

extension DistanceMatrix {
    /// Mean raw value over positive pairs (i ≠ j, same label) and over negative pairs: per row, the
    /// classmates' sum and the whole row's sum, rows in parallel.
    func labelStats(_ labels: [Int], candidates: Int, active: Int) -> LossStats {
        let n = count, groups = LabelGroups(labels)
        var rowSums = [(positive: Double, negative: Double, positives: Int)](repeating: (0, 0, 0), count: n)
        dissimilarities.withUnsafeBufferPointer { d in
            rowSums.withUnsafeMutableBufferPointer { out in
                Parallel.forEachChunk(n, threads: threads) { rows in
                    for i in rows {
                        let row = d.baseAddress! + i * n
                        let total = VectorMath.sum(row, n)
                        var positive = 0.0, positives = 0
                        for j in groups.classmates(of: i) where Int(j) != i {
                            positive += Double(row[Int(j)])
                            positives += 1
                        }
                        out[i] = (positive, Double(total) - positive - Double(row[i]), positives)
                    }
                }
            }
        }
        var pos = 0.0, neg = 0.0, posCount = 0
        for r in rowSums {
            pos += r.positive
            neg += r.negative
            posCount += r.positives
        }
        let negCount = n * (n - 1) - posCount
        let sign = distance.isSimilarity ? -1.0 : 1.0
        return LossStats(
            candidateCount: candidates, activeCount: active,
            meanPositiveDistance: posCount > 0 ? sign * pos / Double(posCount) : 0,
            meanNegativeDistance: negCount > 0 ? sign * neg / Double(negCount) : 0)
    }
}
