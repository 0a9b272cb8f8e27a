import TripletCore

/// Row-wise L2 normalisation, `F.normalize(x, p: 2, dim: 1, eps: 1e-12)`: y = x / max(‖x‖, eps) on [N, F].
public final class L2Normalize: ConfigurableLayer {
    /// The floor on the norm.
    public let eps: Float = RowNormalization.epsilon
    private var output: Tensor?
    private var norms: [Float] = []

    /// A normalisation layer.
    public init() {}

    /// No options.
    public struct Configuration: Codable, Sendable {}
    /// "l2Normalize".
    public static let kind = "l2Normalize"
    /// No options.
    public var configuration: Configuration { Configuration() }

    /// A new layer.
    public convenience init(configuration: Configuration, builder: inout LayerBuilder) throws { self.init() }
    /// None.
    public var parameters: [Parameter] { [] }

    /// Each row divided by its norm (by eps when the norm is smaller).
    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        try ShapeCheck.matrix(input, features: nil, layer: "L2Normalize")
        let (result, norms) = RowNormalization.forward(input)
        output = training ? result : nil
        self.norms = training ? norms : []
        return result
    }

    /// dL/dx = (dy − y·⟨y, dy⟩) / ‖x‖ where ‖x‖ > eps, dy / eps where the norm was clamped.
    public func backward(_ gradOutput: Tensor) throws -> Tensor {
        _ = try ShapeCheck.gradient(gradOutput, matches: output?.shape, layer: "L2Normalize")
        guard let output else { return gradOutput }
        var gradInput = gradOutput
        RowNormalization.backward(gradient: &gradInput, normalized: output, divisors: norms)
        return gradInput
    }
}

extension LayerSpec {
    /// `F.normalize(x, p=2, dim=1)`: a `L2Normalize` layer.
    public static var l2Normalize: LayerSpec { LayerSpec(kind: L2Normalize.kind) }
}
