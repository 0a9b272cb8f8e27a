import Testing
import TripletCore

@testable import TripletNetworks

// GlobalAveragePool2D: gradients, forward values (a direct mean and PyTorch's) and bad input.

extension GradientCheckTests {
    @Test(arguments: [1, 2])
    func globalAveragePool2D(threads: Int) throws {
        var g = SeededGenerator(seed: 30)
        let layer = GlobalAveragePool2D()
        layer.threads = threads
        try checkLayerGradients(layer, input: randomTensor([3, 4, 5, 6], &g))
    }
}

extension ForwardReferenceTests {
    /// Planes larger than one 4096-element summation block, and a 1×1 plane.
    @Test(arguments: [[2, 3, 70, 70], [3, 2, 1, 1], [1, 5, 3, 7]])
    func globalAveragePoolIsThePlaneMean(shape: [Int]) throws {
        var g = SeededGenerator(seed: 31)
        let x = randomTensor(shape, &g, low: 0, high: 2)
        let layer = GlobalAveragePool2D()
        layer.threads = 2
        let y = try layer(x)
        let size = shape[2] * shape[3]
        let expected = (0..<(shape[0] * shape[1])).map { plane in
            Float(x.scalars[(plane * size)..<((plane + 1) * size)].reduce(0.0) { $0 + Double($1) } / Double(size))
        }
        expectClose(y, try Tensor(shape: [shape[0], shape[1]], scalars: expected), tolerance: 1e-6)
    }
}

extension TorchNetworkTests {
    /// `nn.AdaptiveAvgPool2d(1)` + `flatten(1)`.
    @Test func globalAveragePool() throws {
        let net = try Sequential([.globalAveragePool2d], seed: 0)
        try check(
            net, input: [2, 3, 3, 4], outputWeights: 0.6, output: TorchReference.globalAveragePoolOutput,
            inputGradient: TorchReference.globalAveragePoolInputGradient, parameterGradients: [], tolerance: 1e-5)
    }
}

extension BadInputTests {
    @Test func globalAveragePoolRejectsBadInput() throws {
        let layer = GlobalAveragePool2D()
        for shape in [[2, 3], [2, 3, 4], [0, 3, 2, 2], [1, 3, 0, 2], [1, 2, 3, 4, 5], []] {
            expectTripletError(mentioning: ["GlobalAveragePool2D"], "\(shape)") {
                _ = try layer(constantTensor(shape, 1), training: true)
            }
        }
        var x = constantTensor([2, 2, 3, 3], 1)
        x.scalars[20] = .infinity
        let error = #expect(throws: TripletError.self) { try layer.forward(x, training: true) }
        #expect(error == .nonFiniteValue(what: "GlobalAveragePool2D input", row: 1, column: 2))
        expectTripletError(mentioning: ["before any training-mode forward"]) {
            _ = try layer.backward(constantTensor([2, 2], 1))
        }
        x.scalars[20] = 0
        _ = try layer.forward(x, training: true)
        expectTripletError(mentioning: ["[2, 2]"]) { _ = try layer.backward(constantTensor([2, 3], 1)) }
        #expect(try layer.backward(constantTensor([2, 2], 9)).scalars == [Float](repeating: 1, count: 36))
    }
}
