import TripletCore

/// Verification accuracy by k-fold threshold selection, the LFW protocol (10 folds): for each fold the
/// threshold with the best accuracy on the other folds is applied to it.
///
/// The folds are contiguous runs of the pairs in their given order, sized as scikit-learn's
/// `KFold(n_splits)` without shuffling (the first n mod k folds one pair longer), as LFW's `pairs.txt`
/// lists its ten sets one after the other. The candidate thresholds are the midpoints between
/// consecutive distinct training scores, and ±∞ (accept nothing or everything); of equally accurate
/// ones the strictest wins.
public struct FoldAccuracy: Sendable, Hashable {
    /// The accuracy on each held-out fold.
    public let accuracies: [Double]
    /// The threshold chosen for each fold on the others (in the scores' units).
    public let thresholds: [Double]
    /// The mean of `accuracies`.
    public let mean: Double
    /// Their population standard deviation (divided by k, as NumPy's `std` in the LFW scripts).
    public let standardDeviation: Double

    init(_ input: VerificationInput, kind: VerificationScoreKind, folds: Int) {
        let n = input.similarities.count
        var accuracies: [Double] = [], thresholds: [Double] = []
        var start = 0
        for fold in 0..<folds {
            let size = n / folds + (fold < n % folds ? 1 : 0)
            let test = start..<(start + size)
            start += size
            let train = input.similarities.indices.filter { !test.contains($0) }
            let threshold = Self.bestThreshold(train.map { input.similarities[$0] }, train.map { input.isSame[$0] })
            let correct = test.filter { (input.similarities[$0] >= threshold) == input.isSame[$0] }.count
            accuracies.append(Double(correct) / Double(size))
            thresholds.append(kind.threshold(threshold))
        }
        self.accuracies = accuracies
        self.thresholds = thresholds
        mean = accuracies.reduce(0, +) / Double(folds)
        let m = mean
        standardDeviation = (accuracies.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(folds)).squareRoot()
    }

    /// The similarity threshold with the best accuracy on these pairs (accepting scores ≥ it).
    static func bestThreshold(_ similarities: [Double], _ isSame: [Bool]) -> Double {
        let order = similarities.indices.sorted { similarities[$0] > similarities[$1] }
        let impostors = isSame.filter { !$0 }.count
        // Accept nothing: every different pair is right.
        var best = (threshold: Double.infinity, correct: impostors)
        var correct = impostors
        for (position, i) in order.enumerated() {
            correct += isSame[i] ? 1 : -1
            let value = similarities[i]
            let next = position + 1 < order.count ? similarities[order[position + 1]] : -.infinity
            guard next != value else { continue }
            if correct > best.correct { best = (next == -.infinity ? -.infinity : (value + next) / 2, correct) }
        }
        return best.threshold
    }
}
