import TripletCore

extension Sequential {
    /// Flatten → (Dense → ReLU) per hidden size → Dense → L2Normalize: the embedding MLP
    /// (784-256-64 on Fashion-MNIST with the defaults).
    public static func mlp(
        inputs: Int = 784, hidden: [Int] = [256], outputs: Int = 64, seed: UInt64, threads: Int = 1
    ) throws -> Sequential {
        try Sequential(mlpSpecs(inputs: inputs, hidden: hidden, outputs: outputs), seed: seed, threads: threads)
    }

    /// The layers of `mlp(inputs:hidden:outputs:seed:threads:)`.
    public static func mlpSpecs(inputs: Int = 784, hidden: [Int] = [256], outputs: Int = 64) throws -> [LayerSpec] {
        var specs: [LayerSpec] = [.flatten]
        var width = inputs
        for size in hidden {
            specs += [.dense(inputs: width, outputs: size, bias: true), .relu]
            width = size
        }
        return specs + [.dense(inputs: width, outputs: outputs, bias: true), .l2Normalize]
    }

    /// The embedding ConvNet: per entry of `channels`, Conv2D 3×3 (stride 1, no padding) → ReLU →
    /// MaxPool 2; then Flatten → Dense(hidden) → ReLU → Dense(outputs) → L2Normalize. With the defaults
    /// on 28×28 images: 28 → 26 → 13 → 11 → 5, so the first Dense takes 64·5·5 = 1600 inputs.
    public static func convNet(
        inputChannels: Int = 1, imageSize: Int = 28, channels: [Int] = [32, 64], hidden: Int = 128,
        outputs: Int = 64, seed: UInt64, threads: Int = 1
    ) throws -> Sequential {
        let specs = try convNetSpecs(
            inputChannels: inputChannels, imageSize: imageSize, channels: channels, hidden: hidden, outputs: outputs)
        return try Sequential(specs, seed: seed, threads: threads)
    }

    /// The layers of `convNet(inputChannels:imageSize:channels:hidden:outputs:seed:threads:)`.
    public static func convNetSpecs(
        inputChannels: Int = 1, imageSize: Int = 28, channels: [Int] = [32, 64], hidden: Int = 128, outputs: Int = 64
    ) throws -> [LayerSpec] {
        var specs: [LayerSpec] = []
        var (inChannels, size) = (inputChannels, imageSize)
        for out in channels {
            size = (size - 2) / 2
            guard size > 0 else {
                throw TripletError.invalidParameter(
                    name: "imageSize", value: "\(imageSize)",
                    expected: "large enough for \(channels.count) conv 3×3 + pool 2 stages")
            }
            specs += [
                .conv2d(inChannels: inChannels, outChannels: out, kernel: 3, stride: 1, padding: 0, bias: true), .relu,
                .maxPool2d(kernel: 2, stride: 2),
            ]
            inChannels = out
        }
        return specs + [
            .flatten, .dense(inputs: inChannels * size * size, outputs: hidden, bias: true), .relu,
            .dense(inputs: hidden, outputs: outputs, bias: true), .l2Normalize,
        ]
    }

    /// A small residual network for images of `inputChannels` channels: per entry of `channels`, Conv 3×3
    /// (padding 1) → BatchNorm2d → ReLU → MaxPool 2 → Residual(Conv 3×3 → BatchNorm2d → ReLU → Conv 3×3 →
    /// BatchNorm2d) → ReLU; then GlobalAveragePool2D → Dense(outputs) → L2Normalize. Any image size of at
    /// least 2^stages pixels a side.
    public static func residualNetSpecs(
        inputChannels: Int = 1, channels: [Int] = [32, 64], outputs: Int = 64
    ) -> [LayerSpec] {
        var specs: [LayerSpec] = []
        var inChannels = inputChannels
        for width in channels {
            let conv = LayerSpec.conv2d(inChannels: width, outChannels: width, kernel: 3, padding: 1, bias: false)
            specs += [
                .conv2d(inChannels: inChannels, outChannels: width, kernel: 3, padding: 1, bias: false),
                .batchNorm2d(channels: width), .relu, .maxPool2d(kernel: 2, stride: 2),
                .residual(body: [conv, .batchNorm2d(channels: width), .relu, conv, .batchNorm2d(channels: width)]),
                .relu,
            ]
            inChannels = width
        }
        return specs + [.globalAveragePool2d, .dense(inputs: inChannels, outputs: outputs), .l2Normalize]
    }
}
