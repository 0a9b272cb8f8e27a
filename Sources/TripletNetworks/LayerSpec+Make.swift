import TripletCore

extension LayerSpec {
    /// A new layer of this architecture; weights drawn from `generator` with PyTorch's default
    /// initialisation (Dense, Conv2D), Dropout's own generator seeded from it. Throws on invalid sizes.
    public func makeLayer(generator: inout SeededGenerator) throws -> any Layer {
        switch self {
        case .dense(let inputs, let outputs, let bias):
            return try Dense(inputs: inputs, outputs: outputs, bias: bias, generator: &generator)
        case .conv2d(let inChannels, let outChannels, let kernel, let stride, let padding, let bias):
            return try Conv2D(
                inChannels: inChannels, outChannels: outChannels, kernel: kernel, stride: stride, padding: padding,
                bias: bias, generator: &generator)
        case .maxPool2d(let kernel, let stride):
            return try MaxPool2D(kernel: kernel, stride: stride)
        case .batchNorm1d(let features, let eps, let momentum):
            return try BatchNorm(features: features, eps: eps, momentum: momentum, spatial: false)
        case .batchNorm2d(let channels, let eps, let momentum):
            return try BatchNorm(features: channels, eps: eps, momentum: momentum, spatial: true)
        case .relu:
            return ReLU()
        case .dropout(let p):
            return try Dropout(p: p, generator: &generator)
        case .flatten:
            return Flatten()
        case .l2Normalize:
            return L2Normalize()
        }
    }
}
