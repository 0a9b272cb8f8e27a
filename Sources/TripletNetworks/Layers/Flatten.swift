import TripletCore

/// `nn.Flatten()`: [N, d₁, d₂, …] → [N, d₁·d₂·…]; the backward pass restores the input shape.
public final class Flatten: ConfigurableLayer {
    private var inputShape: [Int]?

    /// A flatten layer.
    public init() {}

    /// No options.
    public struct Configuration: Codable, Sendable {}
    /// "flatten".
    public static let kind = "flatten"
    /// No options.
    public var configuration: Configuration { Configuration() }

    /// A new layer.
    public convenience init(configuration: Configuration, builder: inout LayerBuilder) throws { self.init() }
    /// None.
    public var parameters: [Parameter] { [] }

    /// The input as an [N, rest] matrix.
    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        guard input.shape.count >= 2 else {
            throw TripletError.shapeMismatch(
                expected: "[N, …] with at least two dimensions for Flatten", got: input.shape)
        }
        inputShape = training ? input.shape : nil
        return input.reshaped([input.shape[0], input.rowWidth])
    }

    /// dL/dy reshaped to the input's shape.
    public func backward(_ gradOutput: Tensor) throws -> Tensor {
        let expected = inputShape.map { [$0[0], $0.dropFirst().reduce(1, *)] }
        _ = try ShapeCheck.gradient(gradOutput, matches: expected, layer: "Flatten")
        return inputShape.map { gradOutput.reshaped($0) } ?? gradOutput
    }
}

extension LayerSpec {
    /// `nn.Flatten()`: a `Flatten` layer.
    public static var flatten: LayerSpec { LayerSpec(kind: Flatten.kind) }
}
