import TripletCore

/// A layer that can run some of the layers after it in its own pass: `Sequential` lets Conv2D → ReLU →
/// MaxPool2D and Conv2D / Dense → ReLU run fused, so the activation (and pooling) happen on each block of
/// output while it is in cache and cost no extra tensor. The numbers are exactly those of the layers run
/// one by one. A layer type opts in by conforming; `Sequential` knows no layer type by name.
protocol FusingLayer: Layer {
    /// How many of the `following` layers (the ones after this one, in order) this layer runs itself.
    func fusedCount(_ following: ArraySlice<any Layer>) -> Int
    /// The output of this layer and then of `fused` (the `fusedCount` layers after it); in training,
    /// remembers what the fused backward needs.
    func forward(_ input: Tensor, training: Bool, fusing fused: ArraySlice<any Layer>) throws -> Tensor
    /// Back-propagates dL/d(output of the last fused layer) through the group.
    func backward(_ gradOutput: Tensor, inputGradient: Bool, fusing fused: ArraySlice<any Layer>) throws -> Tensor?
}

extension ReLU {
    /// Records `output` as if `forward` had produced it (the fused layer before it did the work).
    func adopt(output: Tensor?, training: Bool) {
        self.output = training ? output : nil
    }
}

extension Dense: FusingLayer {
    /// 1 when a ReLU follows.
    func fusedCount(_ following: ArraySlice<any Layer>) -> Int { following.first is ReLU ? 1 : 0 }

    func forward(_ input: Tensor, training: Bool, fusing fused: ArraySlice<any Layer>) throws -> Tensor {
        let relu = fused.first as? ReLU
        let output = try forward(input, training: training, fusedReLU: relu != nil)
        relu?.adopt(output: output, training: training)
        return output
    }

    func backward(_ gradOutput: Tensor, inputGradient: Bool, fusing fused: ArraySlice<any Layer>) throws -> Tensor? {
        try backward(gradOutput, inputGradient: inputGradient, fusedReLU: fused.first is ReLU)
    }
}

extension Conv2D: FusingLayer {
    /// The epilogue that runs `fused` (ReLU, or ReLU then MaxPool2D).
    private func epilogue(_ fused: ArraySlice<any Layer>) -> ConvEpilogue {
        guard fused.first is ReLU else { return .none }
        guard fused.count > 1, let pool = fused.dropFirst().first as? MaxPool2D else { return .relu }
        return .reluPool(kernel: pool.kernel, stride: pool.stride)
    }

    /// 2 for ReLU → MaxPool2D, 1 for ReLU alone, else 0.
    func fusedCount(_ following: ArraySlice<any Layer>) -> Int {
        guard following.first is ReLU else { return 0 }
        return following.dropFirst().first is MaxPool2D ? 2 : 1
    }

    func forward(_ input: Tensor, training: Bool, fusing fused: ArraySlice<any Layer>) throws -> Tensor {
        let epilogue = epilogue(fused)
        let output = try forward(input, training: training, epilogue: epilogue)
        if let relu = fused.first as? ReLU {
            relu.adopt(output: epilogue == .relu ? output : nil, training: training && epilogue == .relu)
        }
        if fused.count > 1 { (fused.dropFirst().first as? MaxPool2D)?.forget() }
        return output
    }

    func backward(_ gradOutput: Tensor, inputGradient: Bool, fusing fused: ArraySlice<any Layer>) throws -> Tensor? {
        try backward(gradOutput, inputGradient: inputGradient, epilogue: epilogue(fused))
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
