import TripletCore
import TripletData

/// How a run standardises its raw inputs before the network: the chosen statistics are stored in the
/// model sidecar and applied by everything that embeds with the model.
public enum InputNormalization: Codable, Equatable, Sendable {
    /// Inputs go to the network as loaded.
    case none
    /// Per-channel mean and standard deviation of the training inputs ([N, F] features: one channel).
    case estimate
    /// These statistics.
    case given(ChannelNormalization)

    /// `"none"`, `"estimate"`, or the statistics `{"mean": […], "std": […]}`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let word = try? container.decode(String.self) {
            switch word {
            case "none": self = .none
            case "estimate": self = .estimate
            default:
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "normalization \(word): expected none, estimate or statistics")
            }
        } else {
            self = .given(try container.decode(ChannelNormalization.self))
        }
    }

    /// `"none"`, `"estimate"`, or the statistics.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .none: try container.encode("none")
        case .estimate: try container.encode("estimate")
        case .given(let statistics): try container.encode(statistics)
        }
    }

    /// The statistics for training on `inputs` (nil for `.none`).
    public func resolve(on inputs: Tensor) throws -> ChannelNormalization? {
        switch self {
        case .none: return nil
        case .estimate: return try ChannelNormalization.estimate(from: inputs)
        case .given(let statistics): return statistics
        }
    }
}

extension FashionMNIST {
    /// Fashion-MNIST's customary standardisation (mean 0.2860, standard deviation 0.3530 of x / 255), what
    /// models trained before normalisation was stored used.
    public static var standardisation: ChannelNormalization {
        // Constant, valid statistics: construction cannot fail.
        (try? ChannelNormalization(mean: [family.mean], std: [family.standardDeviation]))
            ?? { preconditionFailure("invalid built-in statistics") }()
    }
}
