import Testing
import TripletCore

@testable import TripletNetworks

/// `Sequential` runs Conv2D → ReLU → MaxPool2D and Conv2D / Dense → ReLU as one pass; the numbers must
/// be exactly those of the layers run one by one.
@Suite("Fused layers")
struct FusionTests {
    func unfused(_ net: Sequential, _ x: Tensor, _ w: Tensor) throws -> [Tensor] {
        var h = x
        for layer in net.layers { h = try layer.forward(h, training: true) }
        var g = w
        for layer in net.layers.reversed() { g = try layer.backward(g) }
        return [h, g] + net.namedParameters.map { $0.parameter.gradient }
    }

    @Test(arguments: [1, 2])
    func fusedEqualsLayerByLayer(threads: Int) throws {
        let specs: [LayerSpec] = [
            .conv2d(inChannels: 2, outChannels: 3, kernel: 3, stride: 1, padding: 1, bias: true), .relu,
            .maxPool2d(kernel: 3, stride: 2),  // overlapping windows
            .conv2d(inChannels: 3, outChannels: 4, kernel: 2, stride: 1, padding: 0, bias: false), .relu,
            .maxPool2d(kernel: 2, stride: 2), .flatten, .dense(inputs: 4, outputs: 5, bias: true), .relu,
            .dense(inputs: 5, outputs: 3, bias: true), .l2Normalize,
        ]
        var g = SeededGenerator(seed: 1)
        let x = randomTensor([5, 2, 9, 9], &g)
        let w = randomTensor([5, 3], &g)
        let a = try Sequential(specs, seed: 7, threads: threads)
        let b = try Sequential(specs, seed: 7, threads: threads)
        let y = try a.forward(x, training: true)
        let dx = try #require(try a.backward(w, inputGradient: true))
        let fused = [y, dx] + a.namedParameters.map { $0.parameter.gradient }
        #expect(fused == (try unfused(b, x, w)))
        // Evaluation mode takes the same fused path.
        #expect(try a.forward(x, training: false) == y)
    }

    @Test func fusedForwardLeavesNothingForTheLayersAlone() throws {
        let net = try Sequential.convNet(imageSize: 12, channels: [2], hidden: 3, outputs: 2, seed: 1)
        var g = SeededGenerator(seed: 2)
        _ = try net.forward(randomTensor([2, 1, 12, 12], &g), training: true)
        let pooled = try Tensor(repeating: 1, shape: [2, 2, 5, 5])
        #expect(throws: TripletError.self) { try net.layers[2].backward(pooled) }
        #expect(throws: TripletError.self) { try net.layers[0].backward(pooled) }
    }
}
