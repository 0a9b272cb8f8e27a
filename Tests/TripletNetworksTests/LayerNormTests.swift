import Testing
import TripletCore

@testable import TripletNetworks

// LayerNorm: gradients on 2-D, 3-D and two trailing dimensions, PyTorch's values, bad input.

extension GradientCheckTests {
    /// (input shape, normalized shape, elementwise affine, threads)
    static let layerNormCases: [([Int], [Int], Bool, Int)] = [
        ([4, 6], [6], true, 1), ([2, 3, 5], [5], true, 2), ([2, 3, 4], [3, 4], true, 1), ([3, 2, 4], [4], false, 1),
    ]

    @Test(arguments: layerNormCases.indices)
    func layerNorm(index: Int) throws {
        let (shape, normalized, affine, threads) = Self.layerNormCases[index]
        var g = SeededGenerator(seed: UInt64(40 + index))
        let layer = try LayerNorm(normalizedShape: normalized, elementwiseAffine: affine)
        layer.threads = threads
        layer.weight?.value = randomTensor(normalized, &g, low: 0.5, high: 1.5)
        layer.bias?.value = randomTensor(normalized, &g)
        #expect(layer.parameters.count == (affine ? 2 : 0))
        try checkLayerGradients(layer, input: randomTensor(shape, &g), step: 1e-3, tolerance: 3e-3)
    }
}

extension ForwardReferenceTests {
    @Test func layerNormRowsHaveZeroMeanAndUnitVariance() throws {
        var g = SeededGenerator(seed: 45)
        let layer = try LayerNorm(normalizedShape: [50], eps: 1e-5)
        let x = randomTensor([3, 4, 50], &g, low: 5, high: 9)
        let y = try layer(x)
        #expect(y.shape == x.shape)
        for row in 0..<12 {
            let values = y.scalars[(row * 50)..<((row + 1) * 50)].map(Double.init)
            let mean = values.reduce(0, +) / 50
            let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 50
            #expect(abs(mean) < 1e-5)
            #expect(abs(variance - 1) < 1e-3, "biased variance \(variance)")  // σ² / (σ² + eps), σ² ≈ 4/3
        }
        // Training and evaluation agree (no running statistics).
        #expect(try layer.forward(x, training: true) == y)
    }
}

extension TorchNetworkTests {
    @Test func layerNorm() throws {
        let cases: [([LayerSpec], [Int], Double, [Float], [Float], [Float])] = [
            (
                [.layerNorm(normalizedShape: [6])], [4, 6], 0.7, TorchReference.layerNorm2DOutput,
                TorchReference.layerNorm2DInputGradient, TorchReference.layerNorm2DParameterGradients
            ),
            (
                [.layerNorm(normalizedShape: [5])], [2, 3, 5], 0.8, TorchReference.layerNorm3DOutput,
                TorchReference.layerNorm3DInputGradient, TorchReference.layerNorm3DParameterGradients
            ),
            (
                [.layerNorm(normalizedShape: [3, 4], eps: 1e-3)], [2, 3, 4], 0.9,
                TorchReference.layerNormTrailing2Output, TorchReference.layerNormTrailing2InputGradient,
                TorchReference.layerNormTrailing2ParameterGradients
            ),
        ]
        for (specs, input, weights, output, inputGradient, parameterGradients) in cases {
            let net = try Sequential(specs, seed: 0)
            #expect(net.stateDict().map(\.0) == ["layers.0.weight", "layers.0.bias"])
            try check(
                net, input: input, outputWeights: weights, output: output, inputGradient: inputGradient,
                parameterGradients: parameterGradients, tolerance: 1e-5)
        }
    }
}

extension BadInputTests {
    @Test func layerNormRejectsBadInputAndOptions() throws {
        let layer = try LayerNorm(normalizedShape: [3, 4])
        for shape in [[3, 4], [2, 4, 3], [2, 3, 5], [2, 12], [0, 3, 4], [2, 0, 3, 4], []] {
            expectTripletError(mentioning: ["LayerNorm([3, 4])"], "\(shape)") {
                _ = try layer(constantTensor(shape, 1), training: true)
            }
        }
        var x = constantTensor([2, 3, 4], 1)
        x.scalars[13] = .nan
        let error = #expect(throws: TripletError.self) { try layer.forward(x, training: true) }
        #expect(error == .nonFiniteValue(what: "LayerNorm([3, 4]) input", row: 1, column: 1))
        expectTripletError(mentioning: ["before any training-mode forward"]) {
            _ = try layer.backward(constantTensor([2, 3, 4], 1))
        }
        x.scalars[13] = 0
        _ = try layer.forward(x, training: true)
        expectTripletError(mentioning: ["[2, 3, 4]"]) { _ = try layer.backward(constantTensor([2, 12], 1)) }
        _ = try layer.forward(x, training: false)
        expectTripletError(mentioning: ["before any training-mode forward"]) { _ = try layer.backward(x) }

        for spec in [
            LayerSpec.layerNorm(normalizedShape: []), .layerNorm(normalizedShape: [4, 0]),
            .layerNorm(normalizedShape: [4], eps: 0), .layerNorm(normalizedShape: [4], eps: -1),
        ] {
            var g = SeededGenerator(seed: 0)
            expectTripletError(mentioning: ["LayerNorm"], "\(spec)") {
                _ = try LayerRegistry.standard.makeLayer(spec, generator: &g)
            }
        }
    }
}
