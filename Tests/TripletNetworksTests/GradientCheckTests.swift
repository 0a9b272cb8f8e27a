import Testing
import TripletCore

@testable import TripletNetworks

/// Central differences against every layer's backward pass: the input gradient and each parameter's.
@Suite("Finite-difference gradients")
struct GradientCheckTests {
    @Test(arguments: [true, false])
    func dense(bias: Bool) throws {
        var g = SeededGenerator(seed: 1)
        let layer = try Dense(inputs: 7, outputs: 5, bias: bias, generator: &g)
        try checkLayerGradients(layer, input: randomTensor([4, 7], &g))
    }

    /// (in, out, kernel, stride, padding, height, width, batch, threads, column budget)
    static let convCases: [(Int, Int, Int, Int, Int, Int, Int, Int, Int, Int)] = [
        (2, 3, 3, 1, 0, 6, 7, 3, 1, 1 << 18),
        (2, 3, 3, 2, 1, 7, 6, 3, 1, 1 << 18),  // stride 2, padding 1
        (3, 2, 2, 1, 1, 5, 5, 4, 2, 1 << 18),
        (1, 4, 3, 2, 1, 8, 8, 5, 2, 1),  // one image per GEMM, two workers
        (2, 2, 5, 3, 2, 9, 7, 2, 1, 1 << 18),  // kernel larger than stride, uneven edges
        (1, 2, 1, 1, 0, 4, 4, 2, 1, 1 << 18),
    ]

    @Test(arguments: convCases.indices)
    func conv2D(index: Int) throws {
        let (c, o, k, s, p, h, w, n, threads, budget) = Self.convCases[index]
        var g = SeededGenerator(seed: UInt64(10 + index))
        let layer = try Conv2D(inChannels: c, outChannels: o, kernel: k, stride: s, padding: p, generator: &g)
        layer.threads = threads
        layer.columnBudget = budget
        try checkLayerGradients(layer, input: randomTensor([n, c, h, w], &g))
    }

    @Test func conv2DWithoutBias() throws {
        var g = SeededGenerator(seed: 3)
        let layer = try Conv2D(inChannels: 2, outChannels: 3, kernel: 3, padding: 1, bias: false, generator: &g)
        try checkLayerGradients(layer, input: randomTensor([2, 2, 5, 5], &g))
    }

    /// (kernel, stride, height, width): non-overlapping, overlapping, and sizes that leave a remainder.
    @Test(arguments: [(2, 2, 6, 6), (2, 2, 7, 5), (3, 2, 7, 7), (2, 1, 5, 4), (3, 3, 8, 7), (2, 2, 4, 34)])
    func maxPool(kernel: Int, stride: Int, height: Int, width: Int) throws {
        var g = SeededGenerator(seed: 4)
        let layer = try MaxPool2D(kernel: kernel, stride: stride)
        layer.threads = 2
        try checkLayerGradients(layer, input: distinctTensor([2, 3, height, width], &g))
    }

    @Test func relu() throws {
        var g = SeededGenerator(seed: 5)
        try checkLayerGradients(ReLU(), input: distinctTensor([3, 2, 4, 5], &g))
    }

    @Test func flatten() throws {
        var g = SeededGenerator(seed: 6)
        try checkLayerGradients(Flatten(), input: randomTensor([3, 2, 2, 3], &g))
    }

    @Test func l2Normalize() throws {
        var g = SeededGenerator(seed: 7)
        try checkLayerGradients(L2Normalize(), input: randomTensor([4, 6], &g), step: 1e-3)
    }

    @Test func batchNorm1DTraining() throws {
        var g = SeededGenerator(seed: 8)
        let layer = try BatchNorm(features: 5, spatial: false)
        layer.weight.value = randomTensor([5], &g, low: 0.5, high: 1.5)
        layer.bias.value = randomTensor([5], &g)
        try checkLayerGradients(layer, input: randomTensor([6, 5], &g), step: 1e-3, tolerance: 3e-3)
    }

    @Test func batchNorm2DTraining() throws {
        var g = SeededGenerator(seed: 9)
        let layer = try BatchNorm(features: 3, spatial: true)
        layer.weight.value = randomTensor([3], &g, low: 0.5, high: 1.5)
        layer.bias.value = randomTensor([3], &g)
        try checkLayerGradients(layer, input: randomTensor([2, 3, 3, 4], &g), step: 1e-3, tolerance: 3e-3)
    }

    @Test func dropout() throws {
        var g = SeededGenerator(seed: 10)
        let layer = try Dropout(p: 0.3, generator: &g)
        let saved = layer.generator
        try checkLayerGradients(layer, input: randomTensor([4, 9], &g), prepare: { layer.generator = saved })
    }

    @Test func wholeConvNet() throws {
        var g = SeededGenerator(seed: 11)
        let net = try Sequential.convNet(imageSize: 12, channels: [3, 4], hidden: 6, outputs: 5, seed: 2, threads: 2)
        let x = distinctTensor([3, 1, 12, 12], &g, gap: 0.01)
        let w = randomTensor([3, 5], &g)
        net.zeroGradients()
        _ = try net.forward(x, training: true)
        let dx = try #require(try net.backward(w, inputGradient: true))
        var values = x.scalars
        try expectGradient(
            dx.scalars, of: &values, indices: Array(stride(from: 0, to: values.count, by: 7)), step: 1e-3,
            tolerance: 5e-3, "ConvNet input gradient",
            loss: { weightedSum(try net.forward(Tensor(shape: x.shape, scalars: $0), training: true), w) })
        for (name, parameter) in net.namedParameters {
            let original = parameter.value
            var values = original.scalars
            try expectGradient(
                parameter.gradient.scalars, of: &values, indices: Array(stride(from: 0, to: values.count, by: 5)),
                step: 1e-3, tolerance: 5e-3, name,
                loss: { values in
                    parameter.value = try Tensor(shape: original.shape, scalars: values)
                    return weightedSum(try net.forward(x, training: true), w)
                })
            parameter.value = original
        }
    }
}
