/// How the two entropies are averaged into the normaliser of NMI and AMI (`sklearn`'s `average_method`).
public enum MutualInformationAverage: String, Sendable, Hashable, Codable, CaseIterable {
    /// min(H(labels), H(clusters)).
    case min
    /// √(H(labels)·H(clusters)).
    case geometric
    /// (H(labels) + H(clusters)) / 2, sklearn's default.
    case arithmetic
    /// max(H(labels), H(clusters)).
    case max

    func callAsFunction(_ u: Double, _ v: Double) -> Double {
        switch self {
        case .min: return Swift.min(u, v)
        case .geometric: return (u * v).squareRoot()
        case .arithmetic: return (u + v) / 2
        case .max: return Swift.max(u, v)
        }
    }
}
