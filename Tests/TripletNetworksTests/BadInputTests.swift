import Testing
import TripletCore

@testable import TripletNetworks

/// Anything a caller can get wrong throws a `TripletError` rather than crashing.
@Suite("Bad input")
struct BadInputTests {
    func layers() throws -> [(any Layer, [[Int]])] {
        var g = SeededGenerator(seed: 1)
        return [
            (try Dense(inputs: 4, outputs: 2, generator: &g), [[3, 5], [3], [0, 4], [2, 2, 2], []]),
            (
                try Conv2D(inChannels: 2, outChannels: 3, kernel: 3, generator: &g),
                [[1, 3, 5, 5], [2, 5, 5], [1, 2, 2, 5], [0, 2, 5, 5], [1, 2, 0, 4], [4, 2]]
            ),
            (try MaxPool2D(kernel: 2), [[1, 1, 1, 4], [4, 4], [1, 1, 0, 3], []]),
            (try BatchNorm(features: 3, spatial: false), [[2, 4], [2, 3, 1, 1], [0, 3]]),
            (try BatchNorm(features: 3, spatial: true), [[2, 3], [2, 4, 2, 2], [2, 3, 0, 2]]),
            (ReLU(), [[]]), (try Dropout(p: 0.5, generator: &g), [[]]), (Flatten(), [[4], []]),
            (L2Normalize(), [[3], [2, 3, 4], [0, 3]]),
        ]
    }

    @Test func wrongInputShapesThrow() throws {
        for (layer, shapes) in try layers() {
            for shape in shapes {
                let x = try Tensor(repeating: 0.5, shape: shape)
                #expect(throws: TripletError.self, "\(layer.spec) on \(shape)") {
                    try layer.forward(x, training: true)
                }
            }
        }
    }

    @Test func backwardBeforeForwardOrWithTheWrongShapeThrows() throws {
        var g = SeededGenerator(seed: 2)
        let cases: [(any Layer, [Int])] = [
            (try Dense(inputs: 4, outputs: 2, generator: &g), [3, 4]),
            (try Conv2D(inChannels: 1, outChannels: 2, kernel: 3, generator: &g), [2, 1, 5, 5]),
            (try MaxPool2D(kernel: 2), [2, 1, 4, 4]), (try BatchNorm(features: 3, spatial: false), [4, 3]),
            (ReLU(), [2, 3]), (try Dropout(p: 0.2, generator: &g), [2, 3]), (Flatten(), [2, 3, 2]),
            (L2Normalize(), [2, 3]),
        ]
        for (layer, shape) in cases {
            let bogus = try Tensor(repeating: 1, shape: [1, 1])
            #expect(throws: TripletError.self, "\(layer.spec) backward first") { try layer.backward(bogus) }
            let x = randomTensor(shape, &g)
            let y = try layer.forward(x, training: true)
            #expect(throws: TripletError.self, "\(layer.spec) wrong gradient") { try layer.backward(bogus) }
            #expect(try layer.backward(y).shape == shape)
            // An evaluation-mode forward leaves nothing to back-propagate.
            _ = try layer.forward(x, training: false)
            #expect(throws: TripletError.self, "\(layer.spec) after eval") { try layer.backward(y) }
        }
    }

    @Test func invalidLayerOptionsThrow() {
        let specs: [LayerSpec] = [
            .dense(inputs: 0, outputs: 2, bias: true), .dense(inputs: 3, outputs: -1, bias: true),
            .conv2d(inChannels: 1, outChannels: 2, kernel: 0, stride: 1, padding: 0, bias: true),
            .conv2d(inChannels: 1, outChannels: 2, kernel: 3, stride: 0, padding: 0, bias: true),
            .conv2d(inChannels: 1, outChannels: 2, kernel: 3, stride: 1, padding: -1, bias: true),
            .maxPool2d(kernel: 0, stride: 1), .maxPool2d(kernel: 2, stride: 0),
            .batchNorm1d(features: 0, eps: 1e-5, momentum: 0.1), .batchNorm2d(channels: 2, eps: 0, momentum: 0.1),
            .batchNorm1d(features: 2, eps: 1e-5, momentum: 1.5), .dropout(p: -0.1), .dropout(p: 1.1),
            .dropout(p: .nan),
        ]
        for spec in specs {
            var g = SeededGenerator(seed: 0)
            #expect(throws: TripletError.self, "\(spec)") { try LayerRegistry.standard.makeLayer(spec, generator: &g) }
        }
        var g = SeededGenerator(seed: 0)
        #expect(throws: TripletError.self) { try Initializers.kaimingUniform(shape: [3], generator: &g) }
        #expect(throws: TripletError.self) { try Initializers.uniform(shape: [3], bound: -1, generator: &g) }
    }

    @Test func batchNormNeedsMoreThanOneValuePerFeatureToTrain() throws {
        let layer = try BatchNorm(features: 2, spatial: false)
        let x = try Tensor(repeating: 1, shape: [1, 2])
        #expect(throws: TripletError.self) { try layer.forward(x, training: true) }
        #expect(try layer.forward(x, training: false).shape == [1, 2])
    }

    @Test func nonFiniteValuesThrowAtTheNetworkBoundary() throws {
        let net = try Sequential.mlp(inputs: 4, hidden: [3], outputs: 2, seed: 1)
        var x = try Tensor(repeating: 0.5, shape: [2, 4])
        x.scalars[5] = .nan
        let error = #expect(throws: TripletError.self) { try net.forward(x, training: true) }
        #expect(error == .nonFiniteValue(what: "network input", row: 1, column: 1))
        x.scalars[5] = .infinity
        #expect(throws: TripletError.self) { try net.forward(x, training: true) }
        x.scalars[5] = 0
        _ = try net.forward(x, training: true)
        var dy = try Tensor(repeating: 1, shape: [2, 2])
        dy.scalars[3] = -.infinity
        #expect(throws: TripletError.self) { try net.backward(dy) }
        #expect(throws: TripletError.self) { try net.backward(Tensor(repeating: 1, shape: [2, 3])) }
    }
}
