import TripletCore

/// Per-channel standardisation, `(x − mean[c]) / std[c]`, as torchvision's `Normalize`.
///
/// ```swift
/// let norm = try ChannelNormalization.estimate(from: train.inputs)  // [N, C, H, W]: C means and deviations
/// try norm.apply(to: &train.inputs)
/// try norm.apply(to: &test.inputs)  // the training statistics, saved with the model (Codable)
/// ```
///
/// Images [N, C, H, W] (or any [N, C, …] of rank ≥ 3) have one mean and deviation per channel (dimension 1).
/// Feature matrices [N, F] are one channel: a single mean and deviation over all their features, so that the
/// geometry of the feature space is kept (standardise columns separately before, if that is wanted).
public struct ChannelNormalization: Codable, Equatable, Sendable {
    /// The mean of each channel.
    public var mean: [Float]
    /// The standard deviation of each channel (positive).
    public var std: [Float]

    /// A normalisation with these statistics; throws `TripletError.invalidParameter` unless there is at least
    /// one channel, as many deviations as means, every mean finite and every deviation positive and finite.
    public init(mean: [Float], std: [Float]) throws {
        self.mean = mean
        self.std = std
        try validate()
    }

    /// The number of channels.
    public var channelCount: Int { mean.count }

    /// The mean and population standard deviation of each channel of `inputs` ([N, C, …] or [N, F]),
    /// accumulated in double precision.
    /// - Throws: `TripletError.shapeMismatch` for a tensor of rank < 2, `TripletError.emptyBatch` for no samples,
    ///   `TripletError.nonFiniteValue` for NaN or infinity, `TripletError.invalidParameter` for a constant
    ///   channel (deviation 0).
    public static func estimate(from inputs: Tensor) throws -> ChannelNormalization {
        let (samples, channels, plane) = try layout(inputs.shape)
        guard samples > 0, plane > 0 else { throw TripletError.emptyBatch }
        if !inputs.allFinite, let bad = inputs.scalars.firstIndex(where: { !$0.isFinite }) {
            throw TripletError.nonFiniteValue(what: "inputs", row: bad / inputs.rowWidth, column: bad % inputs.rowWidth)
        }
        var sums = [Double](repeating: 0, count: channels)
        var squares = [Double](repeating: 0, count: channels)
        inputs.scalars.withUnsafeBufferPointer { x in
            for n in 0..<samples {
                for c in 0..<channels {
                    let start = (n * channels + c) * plane
                    var sum = 0.0
                    for i in start..<start + plane { sum += Double(x[i]) }
                    sums[c] += sum
                }
            }
            let count = Double(samples * plane)
            for n in 0..<samples {
                for c in 0..<channels {
                    let start = (n * channels + c) * plane, mean = sums[c] / count
                    var squared = 0.0
                    for i in start..<start + plane {
                        let d = Double(x[i]) - mean
                        squared += d * d
                    }
                    squares[c] += squared
                }
            }
        }
        let count = Double(samples * plane)
        let std = squares.map { Float(($0 / count).squareRoot()) }
        if let constant = std.firstIndex(where: { !($0 > 0) }) {
            throw TripletError.invalidParameter(
                name: "inputs", value: "channel \(constant) (constant at \(Float(sums[constant] / count)))",
                expected: "a channel whose values vary: a standard deviation of 0 cannot be divided by")
        }
        return try ChannelNormalization(mean: sums.map { Float($0 / count) }, std: std)
    }

    /// Standardises `inputs` in place, channel by channel.
    /// - Throws: `TripletError.shapeMismatch` when the tensor's channel count (dimension 1 of [N, C, …], 1 for
    ///   [N, F]) differs from `channelCount`; `TripletError.invalidParameter` for invalid statistics.
    public func apply(to inputs: inout Tensor) throws {
        try validate()
        let (samples, channels, plane) = try Self.layout(inputs.shape)
        guard channels == channelCount else {
            throw TripletError.shapeMismatch(
                expected: "\(channelCount) channel(s) (dimension 1 of [N, C, H, W]; [N, F] is one channel)",
                got: inputs.shape)
        }
        inputs.scalars.withUnsafeMutableBufferPointer { x in
            for n in 0..<samples {
                for c in 0..<channels {
                    let start = (n * channels + c) * plane, m = mean[c], s = std[c]
                    for i in start..<start + plane { x[i] = (x[i] - m) / s }
                }
            }
        }
    }

    /// `inputs` standardised, as `apply(to:)` does in place.
    public func applied(to inputs: Tensor) throws -> Tensor {
        var copy = inputs
        try apply(to: &copy)
        return copy
    }

    /// Throws unless the statistics can standardise.
    private func validate() throws {
        guard !mean.isEmpty, mean.count == std.count, mean.allSatisfy(\.isFinite),
            std.allSatisfy({ $0 > 0 && $0.isFinite })
        else {
            throw TripletError.invalidParameter(
                name: "channel normalisation", value: "mean \(mean), std \(std)",
                expected: "as many finite means as positive, finite standard deviations (at least one)")
        }
    }

    /// (samples, channels, elements per channel of a sample) of a tensor of `shape`.
    private static func layout(_ shape: [Int]) throws -> (Int, Int, Int) {
        switch shape.count {
        case 2: return (shape[0], 1, shape[1])
        case 3...: return (shape[0], shape[1], shape.dropFirst(2).reduce(1, *))
        default: throw TripletError.shapeMismatch(expected: "[N, C, H, W] or [N, F]", got: shape)
        }
    }
}
