import Testing
import TripletCore

@testable import TripletNetworks

/// Whole networks against PyTorch: the same formula weights (loaded through `load(stateDict:)` under
/// PyTorch's names), the same input, and the loss Σ w·output; outputs, input gradients, every parameter
/// gradient and the BatchNorm buffers after one training-mode forward.
@Suite("Networks against PyTorch")
struct TorchNetworkTests {
    func check(
        _ net: Sequential, input: [Int], outputWeights: Double, output: [Float], inputGradient: [Float],
        parameterGradients: [Float], buffers: [Float]? = nil, tolerance: Float = 2e-5,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let state = net.stateDict().enumerated().map { k, entry -> (String, Tensor) in
            let (name, tensor) = entry
            if name.hasSuffix("num_batches_tracked") { return (name, tensor) }
            if name.hasSuffix("running_var") {
                let t = formula(tensor.shape, 0.9, Double(k), 0.3)
                return (name, try! Tensor(shape: t.shape, scalars: t.scalars.map { abs($0) + 0.5 }))
            }
            return (name, formula(tensor.shape, 1.7, Double(k), 0.4))
        }
        try net.load(stateDict: state)
        let x = formula(input, 0.37, 0.2, 1)
        for threads in [1, 2] {
            net.threads = threads
            try net.load(stateDict: state)
            net.zeroGradients()
            let y = try net.forward(x, training: true)
            let w = formula(y.shape, 0.5, outputWeights, 1)
            let dx = try #require(try net.backward(w, inputGradient: true))
            func expectNear(_ got: [Float], _ expected: [Float], _ what: String) {
                #expect(got.count == expected.count, "\(what) count", sourceLocation: sourceLocation)
                let scale = max(1, expected.map { abs($0) }.max() ?? 0)
                let worst = zip(got, expected).map { abs($0 - $1) }.max() ?? 0
                #expect(worst <= tolerance * scale, "\(what): off by \(worst)", sourceLocation: sourceLocation)
            }
            expectNear(y.scalars, output, "output")
            expectNear(dx.scalars, inputGradient, "input gradient")
            expectNear(net.namedParameters.flatMap { $0.parameter.gradient.scalars }, parameterGradients, "gradients")
            if let buffers {
                expectNear(net.namedBuffers.flatMap { $0.parameter.value.scalars }, buffers, "buffers")
            }
        }
    }

    @Test func convNet() throws {
        let net = try Sequential.convNet(imageSize: 10, channels: [2, 3], hidden: 4, outputs: 3, seed: 0)
        #expect(
            net.stateDictParameters.map(\.name) == [
                "layers.0.weight", "layers.0.bias", "layers.3.weight", "layers.3.bias", "layers.7.weight",
                "layers.7.bias", "layers.9.weight", "layers.9.bias",
            ])
        try check(
            net, input: [2, 1, 10, 10], outputWeights: 0.1, output: TorchReference.convNetOutput,
            inputGradient: TorchReference.convNetInputGradient,
            parameterGradients: TorchReference.convNetParameterGradients)
    }

    @Test func mlp() throws {
        let net = try Sequential.mlp(inputs: 6, hidden: [5], outputs: 3, seed: 0)
        #expect(
            net.stateDictParameters.map(\.name) == [
                "layers.1.weight", "layers.1.bias", "layers.3.weight", "layers.3.bias",
            ])
        try check(
            net, input: [3, 2, 3], outputWeights: 0.2, output: TorchReference.mlpOutput,
            inputGradient: TorchReference.mlpInputGradient, parameterGradients: TorchReference.mlpParameterGradients)
    }

    @Test func batchNormNet() throws {
        let net = try Sequential(
            [
                .conv2d(inChannels: 1, outChannels: 2, kernel: 3, stride: 2, padding: 1, bias: true),
                .batchNorm2d(channels: 2, eps: 1e-5, momentum: 0.1), .relu, .maxPool2d(kernel: 2, stride: 2),
                .flatten, .dense(inputs: 8, outputs: 4, bias: true),
                .batchNorm1d(features: 4, eps: 1e-3, momentum: 0.2), .l2Normalize,
            ], seed: 0)
        #expect(
            net.stateDict().map(\.0) == [
                "layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias", "layers.1.running_mean",
                "layers.1.running_var", "layers.1.num_batches_tracked", "layers.5.weight", "layers.5.bias",
                "layers.6.weight", "layers.6.bias", "layers.6.running_mean", "layers.6.running_var",
                "layers.6.num_batches_tracked",
            ])
        try check(
            net, input: [3, 1, 7, 7], outputWeights: 0.3, output: TorchReference.batchNormNetOutput,
            inputGradient: TorchReference.batchNormNetInputGradient,
            parameterGradients: TorchReference.batchNormNetParameterGradients,
            buffers: TorchReference.batchNormNetBuffers)
    }
}
