import TripletCore

/// A residual block, y = x + f(x), with f a `Sequential` named `body` (parameters "body.0.weight", …):
/// the PyTorch module `Residual` whose `forward` returns `x + self.body(x)`. f must keep the input's
/// shape. The gradient is dL/dy + f's input gradient.
///
/// ```swift
/// let block = try Residual(body: Sequential([.conv2d(inChannels: 32, outChannels: 32, kernel: 3, padding: 1),
///                                          .batchNorm2d(channels: 32), .relu], seed: 0))
/// ```
public final class Residual: ConfigurableLayer {
    /// f.
    public let body: Sequential

    /// x + body(x).
    public init(body: Sequential) {
        self.body = body
    }

    /// The body's layer specs.
    public struct Configuration: Codable, Sendable {
        /// The specs of f's layers.
        public var body: [LayerSpec]
    }
    /// "residual".
    public static let kind = "residual"
    /// The body's specs.
    public var configuration: Configuration { Configuration(body: body.specs) }

    /// A block whose body is built from `configuration` by the builder's registry.
    public convenience init(configuration: Configuration, builder: inout LayerBuilder) throws {
        self.init(body: try Sequential(configuration: .init(layers: configuration.body), builder: &builder))
    }

    /// The body's parameters.
    public var parameters: [Parameter] { body.parameters }
    /// The body's buffers.
    public var buffers: [Parameter] { body.buffers }
    /// "body.<index>.<name>".
    public var namedParameters: [(name: String, parameter: Parameter)] {
        body.namedParameters.map { ("body.\($0.name)", $0.parameter) }
    }
    /// "body.<index>.<name>".
    public var namedBuffers: [(name: String, parameter: Parameter)] {
        body.namedBuffers.map { ("body.\($0.name)", $0.parameter) }
    }
    /// The body's state under "body.<index>.<name>".
    public var namedState: [(name: String, parameter: Parameter)] {
        body.namedState.map { ("body.\($0.name)", $0.parameter) }
    }
    /// The body.
    public var sublayers: [any Layer] { [body] }
    /// The body's threads.
    public var threads: Int {
        get { body.threads }
        set { body.threads = newValue }
    }

    /// x + body(x); throws when the body changes the shape.
    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        let fx = try body.forward(input, training: training)
        guard fx.shape == input.shape else {
            throw TripletError.shapeMismatch(
                expected: "\(input.shape) from the body of a Residual (x + f(x) needs f to keep the shape)",
                got: fx.shape)
        }
        return input.adding(fx)
    }

    /// dL/dy + dL/dx through the body.
    public func backward(_ gradOutput: Tensor) throws -> Tensor {
        let throughBody = try body.backward(gradOutput)
        _ = try ShapeCheck.gradient(gradOutput, matches: throughBody.shape, layer: "Residual")
        return gradOutput.adding(throughBody)
    }
}

extension LayerSpec {
    /// A `Residual` block x + body(x), the PyTorch module whose `body` is `nn.Sequential(*body)`.
    public static func residual(body: [LayerSpec]) -> LayerSpec {
        LayerSpec(kind: Residual.kind, encoding: Residual.Configuration(body: body))
    }
}
