import Foundation
import Testing
import TripletCore

@testable import TripletNetworks

/// y = factor·γ ⊙ x on [N, features]: a layer defined outside TripletNetworks, as a user would write it.
final class Scale: ConfigurableLayer {
    struct Configuration: Codable, Sendable {
        var features: Int
        var factor: Float
    }
    static let kind = "scale"
    let factor: Float
    let weight: Parameter
    private var input: Tensor?

    init(configuration c: Configuration, builder: inout LayerBuilder) throws {
        guard c.features > 0 else {
            throw TripletError.invalidParameter(name: "scale features", value: "\(c.features)", expected: "> 0")
        }
        factor = c.factor
        weight = Parameter(
            name: "weight",
            value: try Initializers.uniform(shape: [c.features], bound: 1, generator: &builder.generator))
    }
    var configuration: Configuration { Configuration(features: weight.value.scalars.count, factor: factor) }
    var parameters: [Parameter] { [weight] }

    func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        let f = weight.value.scalars.count
        guard input.shape.count == 2, input.shape[1] == f else {
            throw TripletError.shapeMismatch(expected: "[N, \(f)]", got: input.shape)
        }
        self.input = training ? input : nil
        let g = weight.value.scalars
        return try Tensor(shape: input.shape, scalars: input.scalars.enumerated().map { factor * g[$0 % f] * $1 })
    }

    func backward(_ gradOutput: Tensor) throws -> Tensor {
        guard let input, gradOutput.shape == input.shape else {
            throw TripletError.invalidParameter(name: "scale backward", value: "", expected: "a forward first")
        }
        let f = weight.value.scalars.count
        for (i, dy) in gradOutput.scalars.enumerated() {
            weight.gradient.scalars[i % f] += factor * dy * input.scalars[i]
        }
        let g = weight.value.scalars
        return try Tensor(shape: input.shape, scalars: gradOutput.scalars.enumerated().map { factor * g[$0 % f] * $1 })
    }
}

@Suite("Layer registry")
struct LayerRegistryTests {
    func decode(_ json: String) throws -> [LayerSpec] {
        try JSONDecoder().decode([LayerSpec].self, from: Data(json.utf8))
    }

    @Test func standardKnowsTheNewKinds() {
        let kinds = Set(LayerRegistry.standard.kinds)
        for kind in ["globalAveragePool2d", "layerNorm", "embedding", "gelu", "sequential", "residual", "dense"] {
            #expect(kinds.contains(kind), "\(kind)")
        }
    }

    @Test func unknownKindNamesTheKind() throws {
        expectTripletError(mentioning: ["layer kind", "\"swish\"", "dense", "gelu"]) {
            _ = try Sequential([.flatten, LayerSpec(kind: "swish")], seed: 0)
        }
        // Inside a container too.
        expectTripletError(mentioning: ["\"swish\""]) {
            _ = try Sequential([.residual(body: [LayerSpec(kind: "swish")])], seed: 0)
        }
    }

    @Test func malformedConfigurationNamesTheKindAndTheField() throws {
        let missing = try decode(#"[{"dense": {"inputs": 3, "bias": true}}]"#)
        let error = #expect(throws: TripletError.self) { try Sequential(missing, seed: 0) }
        if case .invalidParameter(let name, _, let expected) = error {
            #expect(name.contains("\"dense\""))
            #expect(expected.contains("\"outputs\" is missing"), "\(expected)")
        } else {
            Issue.record("expected invalidParameter, got \(String(describing: error))")
        }
        let mistyped = try decode(
            #"[{"conv2d": {"inChannels": 1, "outChannels": 2, "kernel": "three", "stride": 1, "padding": 0, "bias": true}}]"#
        )
        expectTripletError(mentioning: ["invalid \"conv2d\" layer", "\"kernel\" should be"]) {
            _ = try Sequential(mistyped, seed: 0)
        }
        let nested = try decode(
            #"[{"residual": {"body": [{"layerNorm": {"normalizedShape": "four", "eps": 1e-5, "elementwiseAffine": true}}]}}]"#
        )
        expectTripletError(mentioning: ["\"layerNorm\"", "\"normalizedShape\" should be"]) {
            _ = try Sequential(nested, seed: 0)
        }
        expectTripletError(mentioning: ["\"embedding\"", "\"dimension\" is missing"]) {
            _ = try Sequential(try decode(#"[{"embedding": {"count": 3}}]"#), seed: 0)
        }
    }

    @Test func aUserLayerBuildsInsideASequentialAndRoundTrips() throws {
        var registry = LayerRegistry.standard
        registry.register(Scale.self)
        let scale = LayerSpec(kind: "scale", encoding: Scale.Configuration(features: 3, factor: 2))
        let specs: [LayerSpec] = [
            .dense(inputs: 4, outputs: 3), scale, .residual(body: [scale, .gelu()]), .layerNorm(normalizedShape: [3]),
        ]
        let net = try Sequential(specs, seed: 1, registry: registry)
        #expect(net.layers[1] is Scale)
        #expect(
            net.stateDict().map(\.0) == [
                "layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.2.body.0.weight", "layers.3.weight",
                "layers.3.bias",
            ])
        var g = SeededGenerator(seed: 2)
        let x = randomTensor([5, 4], &g)
        let y = try net(x)
        // layers.1 by hand: 2·γ ⊙ dense(x).
        let dense = try net.layers[0](x)
        let gamma = (net.layers[1] as? Scale)?.weight.value.scalars ?? []
        let scaled = try net.layers[1](dense)
        #expect(scaled.scalars == dense.scalars.enumerated().map { 2 * gamma[$0 % 3] * $1 })

        let json = try JSONEncoder().encode(net.specs)
        #expect(
            String(decoding: json, as: UTF8.self).contains(#"{"scale":{"factor":2,"features":3}}"#)
                || String(decoding: json, as: UTF8.self).contains(#"{"scale":{"features":3,"factor":2}}"#))
        let decoded = try JSONDecoder().decode([LayerSpec].self, from: json)
        #expect(decoded == specs)
        let rebuilt = try Sequential(decoded, seed: 9, registry: registry)
        try rebuilt.load(stateDict: net.stateDict())
        #expect(try rebuilt(x) == y)
        // A registry without the type names the kind.
        expectTripletError(mentioning: ["\"scale\""]) { _ = try Sequential(decoded, seed: 0) }
        // Its gradients flow through the containers.
        try checkLayerGradients(rebuilt, input: x, step: 1e-3, tolerance: 5e-3)
    }

    @Test func theOldSidecarFormatStillDecodes() throws {
        let specs = try decode(
            #"[{"flatten": {}}, {"dense": {"inputs": 3, "outputs": 2, "bias": true}}, {"relu": {}}, {"l2Normalize": {}}]"#
        )
        #expect(specs == [.flatten, .dense(inputs: 3, outputs: 2, bias: true), .relu, .l2Normalize])
        let net = try Sequential(specs, seed: 0)
        let dense = try #require(net.layers[1] as? Dense)
        #expect((dense.inputs, dense.outputs, dense.bias != nil) == (3, 2, true))
        let single = try JSONDecoder().decode(
            LayerSpec.self, from: Data(#"{"dense":{"inputs":3,"outputs":2,"bias":true}}"#.utf8))
        #expect(single == .dense(inputs: 3, outputs: 2, bias: true))
        // And encodes back to the same one-key objects.
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(
            String(decoding: try encoder.encode(single), as: UTF8.self)
                == #"{"dense":{"bias":true,"inputs":3,"outputs":2}}"#)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(LayerSpec.self, from: Data(#"{"dense": {}, "relu": {}}"#.utf8))
        }
    }
}
