import TripletCore

/// A layer that can apply a following ReLU itself: `Sequential` fuses Conv2D → ReLU and Dense → ReLU so
/// that the activation costs no extra pass (and no extra tensor) in either direction. The results are the
/// same as running the two layers one after the other.
protocol ReLUFusable: Layer {
    /// The layer's output with max(0, ·) applied; in training, remembers it for the fused backward.
    func forward(_ input: Tensor, training: Bool, fusedReLU: Bool) throws -> Tensor
    /// Back-propagates dL/d(relu output): the gradient is masked where the fused output is 0.
    func backward(_ gradOutput: Tensor, inputGradient: Bool, fusedReLU: Bool) throws -> Tensor?
}

extension ReLU {
    /// Records `output` as if `forward` had produced it (the fused layer before it did the work).
    func adopt(output: Tensor?, training: Bool) {
        self.output = training ? output : nil
    }
}

extension ShapeCheck {
    /// The output remembered by a fused forward, or an error for a backward that has none.
    static func fusedOutput(_ output: Tensor?, layer: String) throws -> Tensor {
        guard let output else {
            throw TripletError.invalidParameter(
                name: "\(layer) backward", value: "with a fused ReLU but no fused training-mode forward",
                expected: "a forward(_:training: true, fusedReLU: true) first")
        }
        return output
    }
}
