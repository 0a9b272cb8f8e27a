import Foundation
import Testing
import TripletCore

@testable import TripletNetworks

/// conv → BN → ReLU → Residual(conv → BN → ReLU) → global average pool → dense → L2: a nested network
/// checked by finite differences, against PyTorch (names and numbers), and through its JSON sidecar.
@Suite("Residual network")
struct ResidualNetworkTests {
    static let specs: [LayerSpec] = [
        .conv2d(inChannels: 2, outChannels: 3, kernel: 3, padding: 1), .batchNorm2d(channels: 3), .relu,
        .residual(body: [
            .conv2d(inChannels: 3, outChannels: 3, kernel: 3, padding: 1), .batchNorm2d(channels: 3), .relu,
        ]),
        .globalAveragePool2d, .dense(inputs: 3, outputs: 4), .l2Normalize,
    ]

    /// The `state_dict` keys of the PyTorch module in Benchmarks/reference/networks_reference.py ("residualNet").
    static let torchNames = [
        "layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias", "layers.1.running_mean",
        "layers.1.running_var", "layers.1.num_batches_tracked", "layers.3.body.0.weight", "layers.3.body.0.bias",
        "layers.3.body.1.weight", "layers.3.body.1.bias", "layers.3.body.1.running_mean",
        "layers.3.body.1.running_var", "layers.3.body.1.num_batches_tracked", "layers.5.weight", "layers.5.bias",
    ]

    @Test func namesAreThoseOfTheEquivalentTorchModule() throws {
        let net = try Sequential(Self.specs, seed: 1)
        #expect(net.stateDict().map(\.0) == Self.torchNames)
        #expect(
            net.stateDictParameters.map(\.name)
                == Self.torchNames.filter { !$0.contains("running") && !$0.contains("batches") })
        #expect(net.layers[3] is Residual)
        #expect(net.allLayers.count == 12, "7 layers, the residual's body and its 3 layers, and the network")
    }

    @Test func matchesPyTorch() throws {
        let net = try Sequential(Self.specs, seed: 0)
        try TorchNetworkTests().check(
            net, input: [3, 2, 5, 5], outputWeights: 0.4, output: TorchReference.residualNetOutput,
            inputGradient: TorchReference.residualNetInputGradient,
            parameterGradients: TorchReference.residualNetParameterGradients,
            buffers: TorchReference.residualNetBuffers,
            tolerance: 1e-5)
    }

    @Test func finiteDifferenceGradientsOfTheWholeNetwork() throws {
        var g = SeededGenerator(seed: 70)
        let net = try Sequential(Self.specs, seed: 3, threads: 2)
        let x = distinctTensor([3, 2, 5, 5], &g, gap: 0.02)
        let w = randomTensor([3, 4], &g)
        // A small step: after batch norm on 3 images, many ReLU inputs sit within 1e-3 of the kink (steps of
        // 1e-3 and 3e-3 cross it and miss by 2–8 %); PyTorch's gradients (matchesPyTorch) agree to 1e-5.
        let step: Float = 1e-4
        net.zeroGradients()
        _ = try net.forward(x, training: true)
        let dx = try #require(try net.backward(w, inputGradient: true))
        var values = x.scalars
        try expectGradient(
            dx.scalars, of: &values, indices: Array(stride(from: 0, to: values.count, by: 3)), step: step,
            tolerance: 5e-3, "input gradient",
            loss: { weightedSum(try net.forward(Tensor(shape: x.shape, scalars: $0), training: true), w) })
        for (name, parameter) in net.namedParameters {
            let original = parameter.value
            var values = original.scalars
            try expectGradient(
                parameter.gradient.scalars, of: &values, indices: Array(values.indices), step: step, tolerance: 5e-3,
                name,
                loss: { values in
                    parameter.value = try Tensor(shape: original.shape, scalars: values)
                    return weightedSum(try net.forward(x, training: true), w)
                })
            parameter.value = original
        }
    }

    @Test func specJSONRoundTripsAndTheStateDictReloads() throws {
        let source = try Sequential(Self.specs, seed: 4)
        var g = SeededGenerator(seed: 71)
        let x = randomTensor([4, 2, 5, 5], &g)
        _ = try source.forward(x, training: true)  // moves the running statistics
        let json = try JSONEncoder().encode(source.specs)
        let text = String(decoding: json, as: UTF8.self)
        #expect(text.contains(#""residual":{"body":["#), "\(text)")
        let decoded = try JSONDecoder().decode([LayerSpec].self, from: json)
        #expect(decoded == Self.specs)
        let rebuilt = try Sequential(decoded, seed: 5)
        #expect(rebuilt.specs == Self.specs)
        #expect(try rebuilt(x) != source(x), "another seed, other weights")
        try rebuilt.load(stateDict: source.stateDict())
        #expect(try rebuilt(x) == source(x))
        #expect(rebuilt.stateDict().map(\.1) == source.stateDict().map(\.1))
    }
}
