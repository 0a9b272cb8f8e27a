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
    /// Mean raw value over positive pairs (i ≠ j, same label) and over negative pairs.
    func labelStats(_ labels: [Int], candidates: Int, active: Int) -> LossStats {
        let n = count
        var pos = 0.0, neg = 0.0, posCount = 0, negCount = 0
        dissimilarities.withUnsafeBufferPointer { d in
            for i in 0..<n {
                let li = labels[i]
                var rowPos = 0.0, rowNeg = 0.0
                for j in 0..<n where j != i {
                    if labels[j] == li {
                        rowPos += Double(d[i * n + j])
                        posCount += 1
                    } else {
                        rowNeg += Double(d[i * n + j])
                        negCount += 1
                    }
                }
                pos += rowPos
                neg += rowNeg
            }
        }
        let sign = distance.isSimilarity ? -1.0 : 1.0
        return LossStats(
            candidateCount: candidates, activeCount: active,
            meanPositiveDistance: posCount > 0 ? sign * pos / Double(posCount) : 0,
            meanNegativeDistance: negCount > 0 ? sign * neg / Double(negCount) : 0)
    }
}
