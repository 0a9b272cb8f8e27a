/// How per-triplet (or per-pair) losses become one number, as pytorch-metric-learning's reducers.
public enum Reducer: String, Sendable, CaseIterable {
    /// The mean over every selected triplet, zeros included (`MeanReducer`).
    case mean
    /// The mean over the triplets whose loss is above zero (`AvgNonZeroReducer`, PML's default).
    case meanNonZero
    /// The plain sum (`SumReducer`).
    case sum

    /// What the summed loss is divided by; `nil` when nothing counts (the loss is then 0 with a zero gradient).
    func divisor(candidates: Int, active: Int) -> Double? {
        switch self {
        case .mean: return candidates > 0 ? Double(candidates) : nil
        case .meanNonZero: return active > 0 ? Double(active) : nil
        case .sum: return candidates > 0 ? 1 : nil
        }
    }
}
