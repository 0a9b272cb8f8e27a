import TripletCore

/// Agreement of a clustering with the true labels, as scikit-learn computes it (natural logarithms).
///
/// ```swift
/// let nmi = try ClusteringMetrics.normalizedMutualInformation(labels: y, clusters: assignment)
/// let ami = try ClusteringMetrics.adjustedMutualInformation(labels: y, clusters: assignment)
/// ```
/// Labels and cluster ids are any integers; only which samples share one matters.
public enum ClusteringMetrics {
    /// The mutual information I(labels; clusters) in nats (`sklearn.metrics.mutual_info_score`).
    /// - Throws: `TripletError` for empty labellings or labellings of different lengths.
    public static func mutualInformation(labels: [Int], clusters: [Int]) throws -> Double {
        try Contingency(labels: labels, clusters: clusters).mutualInformation
    }

    /// NMI = I / average(H(labels), H(clusters)) (`sklearn.metrics.normalized_mutual_info_score`): 1 when
    /// both labellings have a single group, 0 when the mutual information is 0.
    /// - Throws: `TripletError` for empty labellings or labellings of different lengths.
    public static func normalizedMutualInformation(
        labels: [Int], clusters: [Int], average: MutualInformationAverage = .arithmetic
    ) throws -> Double {
        let table = try Contingency(labels: labels, clusters: clusters)
        if table.rowSums.count == 1 && table.columnSums.count == 1 { return 1 }
        let mi = table.mutualInformation
        if mi == 0 { return 0 }
        return mi / average(table.rowEntropy, table.columnEntropy)
    }

    /// AMI = (I − E[I]) / (average(H(labels), H(clusters)) − E[I])
    /// (`sklearn.metrics.adjusted_mutual_info_score`), E[I] the expected mutual information of random
    /// labellings with the same group sizes (computed exactly, in log-gamma form). 1 when both labellings
    /// have a single group, 0 when only one does; about 0 for chance agreement, negative below it.
    /// - Throws: `TripletError` for empty labellings or labellings of different lengths.
    public static func adjustedMutualInformation(
        labels: [Int], clusters: [Int], average: MutualInformationAverage = .arithmetic
    ) throws -> Double {
        let table = try Contingency(labels: labels, clusters: clusters)
        let classes = table.rowSums.count, groups = table.columnSums.count
        if classes == 1 && groups == 1 { return 1 }
        if classes == 1 || groups == 1 { return 0 }
        let mi = table.mutualInformation, emi = table.expectedMutualInformation
        let eps = Double.ulpOfOne
        // sklearn keeps the signs of both differences and bounds them away from 0 (a perfect match, where
        // the expectation equals the normaliser, would otherwise be 0 / 0).
        var denominator = average(table.rowEntropy, table.columnEntropy) - emi
        denominator = denominator < 0 ? min(denominator, -eps) : max(denominator, eps)
        var numerator = mi - emi
        numerator = numerator < 0 ? min(numerator, -eps) : max(numerator, eps)
        return numerator / denominator
    }
}
