import Testing
import TripletCore

@testable import TripletNetworks

@Suite("Sequential")
struct SequentialTests {
    @Test func builtArchitectures() throws {
        let mlp = try Sequential.mlp(seed: 1)
        #expect(
            mlp.specs == [
                .flatten, .dense(inputs: 784, outputs: 256, bias: true), .relu,
                .dense(inputs: 256, outputs: 64, bias: true), .l2Normalize,
            ])
        let conv = try Sequential.convNet(seed: 1)
        #expect(conv.specs[7] == .dense(inputs: 1600, outputs: 128, bias: true))
        #expect(
            conv.namedParameters.map { $0.parameter.value.shape } == [
                [32, 1, 3, 3], [32], [64, 32, 3, 3], [64], [128, 1600], [128], [64, 128], [64],
            ])
        var g = SeededGenerator(seed: 2)
        let y = try conv.forward(randomTensor([3, 1, 28, 28], &g), training: false)
        #expect(y.shape == [3, 64])
        for row in 0..<3 {
            let norm = y.row(row).reduce(0) { $0 + $1 * $1 }.squareRoot()
            #expect(abs(norm - 1) < 1e-5)
        }
        #expect(throws: TripletError.self) { try Sequential.convNet(imageSize: 5, seed: 1) }
    }

    @Test func pytorchDefaultInitialisationBounds() throws {
        let net = try Sequential.mlp(seed: 3)
        for (name, parameter) in net.namedParameters {
            let fanIn = name.hasPrefix("1.") ? 784 : 256
            let bound = 1 / Float(fanIn).squareRoot()
            let values = parameter.value.scalars
            #expect(values.allSatisfy { abs($0) <= bound }, "\(name)")
            #expect(values.map { abs($0) }.max()! > 0.9 * bound, "\(name) uses its range")
        }
        // The same seed gives the same weights; another seed does not.
        #expect(try Sequential.mlp(seed: 3).stateDict().map(\.1) == net.stateDict().map(\.1))
        #expect(try Sequential.mlp(seed: 4).stateDict().map(\.1) != net.stateDict().map(\.1))
    }

    @Test func stateDictRoundTrip() throws {
        let source = try Sequential(
            [
                .conv2d(inChannels: 1, outChannels: 2, kernel: 3, stride: 1, padding: 1, bias: true),
                .batchNorm2d(channels: 2, eps: 1e-5, momentum: 0.1), .relu, .flatten,
                .dense(inputs: 32, outputs: 3, bias: false),
            ], seed: 5)
        var g = SeededGenerator(seed: 6)
        let x = randomTensor([4, 1, 4, 4], &g)
        _ = try source.forward(x, training: true)  // moves the running statistics
        let target = try Sequential(source.specs, seed: 7)
        #expect(try target.forward(x, training: false) != source.forward(x, training: false))
        try target.load(stateDict: source.stateDict())
        #expect(try target.forward(x, training: false) == source.forward(x, training: false))
        #expect(
            target.namedBuffers.map(\.name) == ["1.running_mean", "1.running_var", "1.num_batches_tracked"])
        #expect(target.namedBuffers[2].parameter.value.scalars == [1])
        // Through a safetensors file too.
        let decoded = try SafeTensors.decode(SafeTensors.encode(source.stateDict()))
        let third = try Sequential(source.specs, seed: 8)
        try third.load(stateDict: decoded.tensors)
        #expect(third.stateDict().map(\.1) == source.stateDict().map(\.1))
    }

    @Test func loadRejectsMissingExtraAndMisshapenTensors() throws {
        let net = try Sequential.mlp(inputs: 4, hidden: [3], outputs: 2, seed: 1)
        let state = net.stateDict()
        let before = net.stateDict().map(\.1)
        func expectError(_ dict: [(String, Tensor)], mentioning name: String) {
            let error = #expect(throws: TripletError.self) { try net.load(stateDict: dict) }
            #expect(error.map { "\($0)".contains(name) } == true, "\(String(describing: error)) names \(name)")
        }
        expectError(state.filter { $0.0 != "layers.3.bias" }, mentioning: "layers.3.bias")
        expectError(state + [("layers.9.weight", try Tensor(repeating: 0, shape: [1]))], mentioning: "layers.9.weight")
        expectError(
            state.map { $0.0 == "layers.1.weight" ? ($0.0, try! Tensor(repeating: 0, shape: [4, 3])) : $0 },
            mentioning: "layers.1.weight")
        expectError(state + [state[0]], mentioning: "layers.1.weight")
        var poisoned = state
        poisoned[2].1.scalars[0] = .nan
        expectError(poisoned, mentioning: "layers.3.weight")
        #expect(net.stateDict().map(\.1) == before, "a failed load changes nothing")
    }

    @Test func backwardSkipsUnneededInputGradients() throws {
        let net = try Sequential.convNet(imageSize: 12, channels: [2, 2], hidden: 3, outputs: 2, seed: 1)
        var g = SeededGenerator(seed: 2)
        let x = randomTensor([2, 1, 12, 12], &g)
        let w = randomTensor([2, 2], &g)
        _ = try net.forward(x, training: true)
        net.zeroGradients()
        #expect(try net.backward(w, inputGradient: false) == nil)
        let skipped = net.namedParameters.map { $0.parameter.gradient }
        _ = try net.forward(x, training: true)
        net.zeroGradients()
        let dx = try net.backward(w, inputGradient: true)
        #expect(dx?.shape == x.shape)
        #expect(net.namedParameters.map { $0.parameter.gradient } == skipped)
    }

    @Test func threadsGiveTheSameResultUpToRounding() throws {
        var g = SeededGenerator(seed: 3)
        let x = randomTensor([9, 1, 28, 28], &g)
        let w = randomTensor([9, 64], &g)
        var results: [[Tensor]] = []
        for threads in [1, 2, 2] {
            let net = try Sequential.convNet(seed: 4, threads: threads)
            #expect(net.layers.allSatisfy { $0.threads == threads || $0 is Flatten || $0 is L2Normalize })
            let y = try net.forward(x, training: true)
            try net.backward(w, inputGradient: false)
            results.append([y] + net.namedParameters.map { $0.parameter.gradient })
        }
        #expect(results[1] == results[2], "the same seed and thread count give the same numbers")
        for (a, b) in zip(results[0], results[1]) { expectClose(a, b, tolerance: 1e-4) }
    }
}
