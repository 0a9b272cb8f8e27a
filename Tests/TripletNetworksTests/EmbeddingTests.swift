import Testing
import TripletCore

@testable import TripletNetworks

// Embedding: the weight gradient with repeated ids, PyTorch's values, initialisation and bad ids.

extension GradientCheckTests {
    @Test func embeddingWeightGradientWithRepeatedIDs() throws {
        var g = SeededGenerator(seed: 60)
        let layer = try Embedding(count: 5, dimension: 3, generator: &g)
        let ids = try Tensor(shape: [2, 4], scalars: [1, 3, 3, 0, 3, 1, 4, 1])  // 3 and 1 thrice, 2 never
        let y = try layer.forward(ids, training: true)
        #expect(y.shape == [2, 4, 3])
        let w = randomTensor(y.shape, &g)
        layer.zeroGradients()
        let dx = try layer.backward(w)
        #expect(dx == constantTensor([2, 4], 0), "ids have no gradient: zeros shaped like the input")
        #expect(layer.weight.gradient.scalars[6..<9] == [0, 0, 0], "an unused id gets no gradient")
        let original = layer.weight.value
        var values = original.scalars
        try expectGradient(
            layer.weight.gradient.scalars, of: &values, indices: Array(values.indices), step: 1e-2, tolerance: 1e-4,
            "embedding weight",
            loss: { values in
                layer.weight.value = try Tensor(shape: original.shape, scalars: values)
                return weightedSum(try layer.forward(ids, training: true), w)
            })
        layer.weight.value = original
        // A second backward accumulates; without an input gradient, nothing is allocated for it.
        _ = try layer.forward(ids, training: true)
        let before = layer.weight.gradient
        #expect(try layer.backward(w, inputGradient: false) == nil)
        expectClose(
            layer.weight.gradient, try Tensor(shape: [5, 3], scalars: before.scalars.map { 2 * $0 }), tolerance: 1e-6)
    }
}

extension TorchNetworkTests {
    /// `nn.Embedding(7, 4)`, weight 0.4·sin(1.7 i), ids [[1, 3, 3], [0, 6, 1]], loss Σ w·y.
    @Test func embedding() throws {
        let net = try Sequential([.embedding(count: 7, dimension: 4)], seed: 0)
        #expect(net.stateDict().map(\.0) == ["layers.0.weight"])
        try net.load(stateDict: [("layers.0.weight", formula([7, 4], 1.7, 0, 0.4))])
        let ids = try Tensor(shape: [2, 3], scalars: [1, 3, 3, 0, 6, 1])
        net.zeroGradients()
        let y = try net.forward(ids, training: true)
        #expect(try net.backward(formula([2, 3, 4], 0.5, 1.2, 1), inputGradient: false) == nil)
        expectClose(y, try Tensor(shape: [2, 3, 4], scalars: TorchReference.embeddingOutput), tolerance: 1e-5)
        expectClose(
            net.namedParameters[0].parameter.gradient,
            try Tensor(shape: [7, 4], scalars: TorchReference.embeddingWeightGradient), tolerance: 1e-5)
    }
}

extension ForwardReferenceTests {
    @Test func embeddingLooksUpRowsOfOneAndTwoDimensionalIDs() throws {
        var g = SeededGenerator(seed: 61)
        let layer = try Embedding(count: 6, dimension: 2, generator: &g)
        layer.threads = 2
        let w = layer.weight.value.scalars
        let flat = try layer(Tensor(shape: [3], scalars: [5, 0, 5]))
        #expect(flat.shape == [3, 2])
        #expect(flat.scalars == [w[10], w[11], w[0], w[1], w[10], w[11]])
        let grid = try layer(Tensor(shape: [1, 2], scalars: [2, 4]))
        #expect(grid.shape == [1, 2, 2])
        #expect(grid.scalars == [w[4], w[5], w[8], w[9]])
    }
}

extension InitializerTests {
    @Test func embeddingIsStandardNormalAndSeeded() throws {
        var g = SeededGenerator(seed: 62)
        let layer = try Embedding(count: 400, dimension: 100, generator: &g)
        let (mean, std) = moments(layer.weight.value)
        #expect(abs(mean) < 0.02)
        #expect(abs(std - 1) < 0.01, "std \(std)")
        let again = try Sequential([.embedding(count: 400, dimension: 100)], seed: 3)
        #expect(
            try Sequential([.embedding(count: 400, dimension: 100)], seed: 3).stateDict().map(\.1)
                == again.stateDict().map(\.1))
        #expect(
            try Sequential([.embedding(count: 400, dimension: 100)], seed: 4).stateDict().map(\.1)
                != again.stateDict().map(\.1))
    }
}

extension BadInputTests {
    @Test func embeddingRejectsIDsThatAreNotIntegersInRange() throws {
        var g = SeededGenerator(seed: 63)
        let layer = try Embedding(count: 7, dimension: 2, generator: &g)
        let cases: [(Float, String)] = [
            (2.5, "2.5"), (-1, "-1.0"), (7, "7.0"), (1e9, "1e+09"), (.nan, "nan"), (.infinity, "inf"), (-0.5, "-0.5"),
        ]
        for (value, printed) in cases {
            let ids = try Tensor(shape: [2, 3], scalars: [0, 1, 2, 3, value, 6])
            expectTripletError(mentioning: ["Embedding(7, 2)", "[1, 1]", printed, "0..<7"], "id \(value)") {
                _ = try layer(ids, training: true)
            }
        }
        expectTripletError(mentioning: ["[2]", "7.0"]) { _ = try layer(Tensor(shape: [3], scalars: [0, 1, 7])) }
        #expect(try layer(Tensor(shape: [2], scalars: [6, -0.0])).shape == [2, 2], "−0 is id 0")
        for shape in [[2, 2, 2], [0], [2, 0], []] {
            expectTripletError(mentioning: ["[N] or [N, T]"], "\(shape)") { _ = try layer(constantTensor(shape, 0)) }
        }
        expectTripletError(mentioning: ["before any training-mode forward"]) {
            _ = try layer.backward(constantTensor([2, 2], 1))
        }
        _ = try layer.forward(constantTensor([2], 1), training: true)
        expectTripletError(mentioning: ["[2, 2]"]) { _ = try layer.backward(constantTensor([2, 3], 1)) }
        for spec in [
            LayerSpec.embedding(count: 0, dimension: 2), .embedding(count: 3, dimension: 0),
            .embedding(count: Embedding.maximumCount + 1, dimension: 1),
        ] {
            expectTripletError(mentioning: ["Embedding size"], "\(spec)") {
                _ = try LayerRegistry.standard.makeLayer(spec, generator: &g)
            }
        }
    }
}
