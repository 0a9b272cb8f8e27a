import Foundation
import Testing
import TripletCore

@testable import TripletNetworks

@Suite("Initializers and specs")
struct InitializerTests {
    func moments(_ t: Tensor) -> (mean: Double, std: Double) {
        let n = Double(t.scalars.count)
        let mean = t.scalars.reduce(0) { $0 + Double($1) } / n
        let variance = t.scalars.reduce(0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / n
        return (mean, variance.squareRoot())
    }

    @Test func fans() throws {
        #expect(try Initializers.fans(of: [64, 32, 3, 3]) == (fanIn: 288, fanOut: 576))
        #expect(try Initializers.fans(of: [256, 784]) == (fanIn: 784, fanOut: 256))
    }

    @Test func distributionsHaveTorchsScale() throws {
        var g = SeededGenerator(seed: 1)
        let shape = [200, 100, 3, 3]  // fan_in 900, fan_out 1800
        let cases: [(Tensor, Double)] = [
            (try Initializers.kaimingUniform(shape: shape, generator: &g), (2.0 / 900).squareRoot()),
            (try Initializers.kaimingNormal(shape: shape, generator: &g), (2.0 / 900).squareRoot()),
            (
                try Initializers.kaimingUniform(shape: shape, a: Float(5).squareRoot(), generator: &g),
                (1.0 / 2700).squareRoot()
            ),
            (try Initializers.xavierUniform(shape: shape, generator: &g), (2.0 / 2700).squareRoot()),
            (try Initializers.xavierNormal(shape: shape, gain: 2, generator: &g), 2 * (2.0 / 2700).squareRoot()),
        ]
        for (t, std) in cases {
            let (m, s) = moments(t)
            #expect(abs(m) < 0.02 * std)
            #expect(abs(s / std - 1) < 0.01, "std \(s), expected \(std)")
        }
        let bound = Float((6.0 / 2700).squareRoot())
        #expect(try Initializers.xavierUniform(shape: shape, generator: &g).scalars.allSatisfy { abs($0) <= bound })
    }

    @Test func everySpecBuildsItsLayer() throws {
        let specs: [LayerSpec] = [
            .dense(inputs: 3, outputs: 2, bias: false),
            .conv2d(inChannels: 2, outChannels: 3, kernel: 3, stride: 2, padding: 1, bias: true),
            .maxPool2d(kernel: 3, stride: 2), .batchNorm1d(features: 4, eps: 1e-3, momentum: 0.2),
            .batchNorm2d(channels: 5, eps: 1e-5, momentum: 0.1), .relu, .dropout(p: 0.5), .flatten, .l2Normalize,
            .globalAveragePool2d, .layerNorm(normalizedShape: [2, 3], eps: 1e-3, elementwiseAffine: false),
            .layerNorm(normalizedShape: [4]), .embedding(count: 10, dimension: 3), .gelu(), .gelu(approximate: .tanh),
            .residual(body: [.dense(inputs: 2, outputs: 2), .gelu()]), .sequential([.relu, .flatten]),
        ]
        var g = SeededGenerator(seed: 2)
        for spec in specs {
            #expect(try LayerRegistry.standard.makeLayer(spec, generator: &g).spec == spec)
        }
        let data = try JSONEncoder().encode(specs)
        #expect(try JSONDecoder().decode([LayerSpec].self, from: data) == specs)
    }

    /// Bound to false, the initialisers leave zeros (a model about to be loaded) and draw nothing.
    @Test func withoutDrawingTheValuesAreZeros() throws {
        var g = SeededGenerator(seed: 3)
        let before = g
        let (u, n) = try Initializers.$drawsValues.withValue(false) {
            (
                try Initializers.kaimingUniform(shape: [4, 3], generator: &g),
                try Initializers.normal(shape: [5], std: 1, generator: &g)
            )
        }
        #expect(u.scalars.allSatisfy { $0 == 0 } && n.scalars.allSatisfy { $0 == 0 })
        #expect(g.state == before.state)
        #expect(try Initializers.normal(shape: [5], std: 1, generator: &g).scalars.contains { $0 != 0 })
    }
}
