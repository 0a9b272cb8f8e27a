import TripletCore

/// max(0, x), elementwise (`nn.ReLU`). The gradient is passed where the output is positive (0 at 0).
public final class ReLU: ConfigurableLayer {
    /// Threads for large tensors.
    public var threads = 1
    var output: Tensor?

    /// A ReLU layer.
    public init() {}

    /// No options.
    public struct Configuration: Codable, Sendable {}
    /// "relu".
    public static let kind = "relu"
    /// No options.
    public var configuration: Configuration { Configuration() }

    /// A new layer.
    public convenience init(configuration: Configuration, builder: inout LayerBuilder) throws { self.init() }
    /// None.
    public var parameters: [Parameter] { [] }

    /// max(0, x); any shape with a batch dimension.
    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        guard !input.shape.isEmpty else {
            throw TripletError.shapeMismatch(expected: "[N, …] for ReLU", got: input.shape)
        }
        let result = Tensor.filled(input.shape) { out in
            input.scalars.withUnsafeBufferPointer { x in
                let (x, out) = (x.baseAddress!, out.baseAddress!)
                Elementwise.forEach(input.scalars.count, threads: threads) { range in
                    Kernels.relu(x, out, range)  // NaN stays NaN, as in PyTorch
                }
            }
        }
        output = training ? result : nil
        return result
    }

    /// dL/dx = dL/dy where y > 0, else 0.
    public func backward(_ gradOutput: Tensor) throws -> Tensor {
        _ = try ShapeCheck.gradient(gradOutput, matches: output?.shape, layer: "ReLU")
        guard let output else { return gradOutput }
        return Tensor.filled(output.shape) { dx in
            output.scalars.withUnsafeBufferPointer { y in
                gradOutput.scalars.withUnsafeBufferPointer { dy in
                    let (y, dy, dx) = (y.baseAddress!, dy.baseAddress!, dx.baseAddress!)
                    Elementwise.forEach(output.scalars.count, threads: threads) { range in
                        Kernels.reluBackward(y, dy, dx, range)
                    }
                }
            }
        }
    }
}

extension LayerSpec {
    /// `nn.ReLU()`: a `ReLU` layer.
    public static var relu: LayerSpec { LayerSpec(kind: ReLU.kind) }
}
