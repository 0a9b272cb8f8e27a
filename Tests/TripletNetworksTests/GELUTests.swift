import Foundation
import Testing
import TripletCore

@testable import TripletNetworks

// GELU, exact and tanh: gradients, PyTorch's values, the configuration field and bad input.

extension GradientCheckTests {
    @Test(arguments: GELU.Approximation.allCases)
    func gelu(approximate: GELU.Approximation) throws {
        var g = SeededGenerator(seed: 50)
        let layer = GELU(approximate: approximate)
        try checkLayerGradients(layer, input: randomTensor([4, 3, 9], &g, low: -4, high: 4), step: 1e-3)
    }
}

extension TorchNetworkTests {
    /// `nn.GELU()` and `nn.GELU(approximate='tanh')` on 4·sin(0.37 i + 0.2), loss Σ w·y.
    @Test(arguments: GELU.Approximation.allCases)
    func gelu(approximate: GELU.Approximation) throws {
        let (output, inputGradient) =
            approximate == .exact
            ? (TorchReference.geluExactOutput, TorchReference.geluExactInputGradient)
            : (TorchReference.geluTanhOutput, TorchReference.geluTanhInputGradient)
        var g = SeededGenerator(seed: 0)
        let layer = try LayerRegistry.standard.makeLayer(.gelu(approximate: approximate), generator: &g)
        let x = formula([3, 7], 0.37, 0.2, 4)
        let y = try layer.forward(x, training: true)
        let dx = try layer.backward(formula([3, 7], 0.5, 1.1, 1))
        expectClose(y, try Tensor(shape: [3, 7], scalars: output), tolerance: 1e-5, "output")
        expectClose(dx, try Tensor(shape: [3, 7], scalars: inputGradient), tolerance: 1e-5, "input gradient")
        // The two forms differ by more than the tolerance somewhere: the test tells them apart.
        let other = approximate == .exact ? TorchReference.geluTanhOutput : TorchReference.geluExactOutput
        #expect(zip(y.scalars, other).map { abs($0 - $1) }.max()! > 1e-4)
    }
}

extension GradientCheckTests {
    /// The in-place form of inference passes gives the layer's values, bit for bit, and refuses NaN.
    @Test func geluInPlaceMatchesTheLayer() throws {
        var g = SeededGenerator(seed: 51)
        let x = randomTensor([3, 37], &g, low: -6, high: 6)
        var inPlace = x
        try GELU.applyExact(&inPlace, threads: 2)
        #expect(inPlace == (try GELU().forward(x, training: false)))
        var bad = try Tensor(shape: [2], scalars: [1, .nan])
        #expect(throws: TripletError.self) { try GELU.applyExact(&bad, threads: 1) }
    }
}

@Suite("GELU configuration")
struct GELUConfigurationTests {
    func decode(_ json: String) throws -> LayerSpec {
        try JSONDecoder().decode(LayerSpec.self, from: Data(json.utf8))
    }

    @Test func approximateDefaultsToNoneAndRoundTrips() throws {
        var g = SeededGenerator(seed: 0)
        let plain = try LayerRegistry.standard.makeLayer(try decode(#"{"gelu": {}}"#), generator: &g)
        #expect((plain as? GELU)?.approximate == .exact)
        #expect(plain.spec == .gelu())
        #expect(LayerSpec.gelu().configuration == .object(["approximate": .string("none")]))
        let tanh = try LayerRegistry.standard.makeLayer(
            try decode(#"{"gelu": {"approximate": "tanh"}}"#), generator: &g)
        #expect((tanh as? GELU)?.approximate == .tanh)
        #expect(tanh.spec == .gelu(approximate: .tanh))
    }

    @Test func unknownOrMistypedApproximationIsAClearError() throws {
        var g = SeededGenerator(seed: 0)
        expectTripletError(mentioning: ["gelu", "approximate", "\"fast\"", "\"tanh\""]) {
            _ = try LayerRegistry.standard.makeLayer(try decode(#"{"gelu": {"approximate": "fast"}}"#), generator: &g)
        }
        expectTripletError(mentioning: ["gelu", "approximate"]) {
            _ = try LayerRegistry.standard.makeLayer(try decode(#"{"gelu": {"approximate": 1}}"#), generator: &g)
        }
    }
}

extension BadInputTests {
    @Test func geluRejectsBadInput() throws {
        let layer = GELU(approximate: .tanh)
        expectTripletError(mentioning: ["GELU"]) { _ = try layer(constantTensor([], 1), training: true) }
        var x = constantTensor([2, 5], 1)
        x.scalars[7] = -.infinity
        let error = #expect(throws: TripletError.self) { try layer.forward(x, training: true) }
        #expect(error == .nonFiniteValue(what: "GELU(approximate: tanh) input", row: 1, column: 2))
        expectTripletError(mentioning: ["before any training-mode forward"]) {
            _ = try layer.backward(constantTensor([2, 5], 1))
        }
        x.scalars[7] = 0
        _ = try layer.forward(x, training: true)
        expectTripletError(mentioning: ["[2, 5]"]) { _ = try layer.backward(constantTensor([5, 2], 1)) }
    }
}
