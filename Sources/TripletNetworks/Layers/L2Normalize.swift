import TripletCore

/// Row-wise L2 normalisation, `F.normalize(x, p: 2, dim: 1, eps: 1e-12)`: y = x / max(‖x‖, eps) on [N, F].
public final class L2Normalize: Layer {
    /// The floor on the norm.
    public let eps: Float = 1e-12
    private var output: Tensor?
    private var norms: [Float] = []

    /// A normalisation layer.
    public init() {}

    /// `.l2Normalize`.
    public var spec: LayerSpec { .l2Normalize }
    /// None.
    public var parameters: [Parameter] { [] }

    /// Each row divided by its norm (by eps when the norm is smaller).
    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        try ShapeCheck.matrix(input, features: nil, layer: "L2Normalize")
        let (n, d) = (input.shape[0], input.shape[1])
        var norms = [Float](repeating: 0, count: n)
        let result = Tensor.filled(input.shape) { out in
            input.scalars.withUnsafeBufferPointer { x in
                for row in 0..<n {
                    var squares = 0.0
                    for j in 0..<d { squares += Double(x[row * d + j]) * Double(x[row * d + j]) }
                    let norm = max(Float(squares.squareRoot()), eps)
                    norms[row] = norm
                    for j in 0..<d { out[row * d + j] = x[row * d + j] / norm }
                }
            }
        }
        output = training ? result : nil
        self.norms = training ? norms : []
        return result
    }

    /// dL/dx = (dy − y·⟨y, dy⟩) / ‖x‖ where ‖x‖ > eps, dy / eps where the norm was clamped.
    public func backward(_ gradOutput: Tensor) throws -> Tensor {
        _ = try ShapeCheck.gradient(gradOutput, matches: output?.shape, layer: "L2Normalize")
        guard let output else { return gradOutput }
        let (n, d) = (output.shape[0], output.shape[1])
        return Tensor.filled(output.shape) { dx in
            output.scalars.withUnsafeBufferPointer { y in
                gradOutput.scalars.withUnsafeBufferPointer { dy in
                    for row in 0..<n {
                        let r = row * d
                        let norm = norms[row]
                        guard norm > eps else {
                            for j in 0..<d { dx[r + j] = dy[r + j] / norm }
                            continue
                        }
                        var dot: Float = 0
                        for j in 0..<d { dot += y[r + j] * dy[r + j] }
                        for j in 0..<d { dx[r + j] = (dy[r + j] - y[r + j] * dot) / norm }
                    }
                }
            }
        }
    }
}
