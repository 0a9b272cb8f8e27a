import Testing
import TripletCore

@testable import TripletNetworks

/// Forward passes against direct definitions (finite differences only show that backward matches forward).
@Suite("Forward passes")
struct ForwardReferenceTests {
    /// y[n, o, i, j] = b[o] + Σ w[o, c, ky, kx]·x[n, c, i·s + ky − p, j·s + kx − p], zero outside.
    func directConvolution(_ x: Tensor, _ layer: Conv2D) -> Tensor {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (o, k, s, p) = (layer.outChannels, layer.kernel, layer.stride, layer.padding)
        let (ho, wo) = ((h + 2 * p - k) / s + 1, (w + 2 * p - k) / s + 1)
        var y = [Float](repeating: 0, count: n * o * ho * wo)
        let weight = layer.weight.value.scalars
        for b in 0..<n {
            for oc in 0..<o {
                for i in 0..<ho {
                    for j in 0..<wo {
                        var sum = Double(layer.bias?.value.scalars[oc] ?? 0)
                        for ic in 0..<c {
                            for ky in 0..<k {
                                for kx in 0..<k {
                                    let (iy, ix) = (i * s + ky - p, j * s + kx - p)
                                    guard iy >= 0, iy < h, ix >= 0, ix < w else { continue }
                                    sum +=
                                        Double(weight[((oc * c + ic) * k + ky) * k + kx])
                                        * Double(x.scalars[((b * c + ic) * h + iy) * w + ix])
                                }
                            }
                        }
                        y[((b * o + oc) * ho + i) * wo + j] = Float(sum)
                    }
                }
            }
        }
        return try! Tensor(shape: [n, o, ho, wo], scalars: y)
    }

    @Test(arguments: [(3, 1, 0, 1), (3, 2, 1, 2), (2, 2, 0, 1), (5, 1, 2, 2), (3, 1, 0, 2)])
    func convolutionMatchesDefinition(kernel: Int, stride: Int, padding: Int, threads: Int) throws {
        var g = SeededGenerator(seed: 21)
        let layer = try Conv2D(
            inChannels: 3, outChannels: 4, kernel: kernel, stride: stride, padding: padding, generator: &g)
        layer.threads = threads
        for budget in [1, 1 << 18] {
            layer.columnBudget = budget
            let x = randomTensor([5, 3, 9, 8], &g)
            expectClose(try layer.forward(x, training: false), directConvolution(x, layer), tolerance: 1e-5)
        }
    }

    @Test(arguments: [(2, 2), (3, 2), (2, 1), (3, 3)])
    func maxPoolMatchesDefinition(kernel: Int, stride: Int) throws {
        var g = SeededGenerator(seed: 22)
        let layer = try MaxPool2D(kernel: kernel, stride: stride)
        for (h, w) in [(6, 6), (7, 9), (11, 11), (4, 40)] {
            let x = randomTensor([2, 3, h, w], &g)
            let y = try layer.forward(x, training: true)
            let (ho, wo) = ((h - kernel) / stride + 1, (w - kernel) / stride + 1)
            #expect(y.shape == [2, 3, ho, wo])
            for plane in 0..<6 {
                for i in 0..<ho {
                    for j in 0..<wo {
                        var best = -Float.infinity
                        for ky in 0..<kernel {
                            for kx in 0..<kernel {
                                best = max(best, x.scalars[plane * h * w + (i * stride + ky) * w + j * stride + kx])
                            }
                        }
                        #expect(y.scalars[(plane * ho + i) * wo + j] == best)
                    }
                }
            }
        }
    }

    @Test func maxPoolTiesGoToTheFirstMaximum() throws {
        let layer = try MaxPool2D(kernel: 2)
        let x = try Tensor(shape: [1, 1, 2, 2], scalars: [1, 1, 1, 1])
        _ = try layer.forward(x, training: true)
        let dx = try layer.backward(Tensor(shape: [1, 1, 1, 1], scalars: [5]))
        #expect(dx.scalars == [5, 0, 0, 0])
    }

    @Test func reluAndFlatten() throws {
        let x = try Tensor(shape: [2, 1, 1, 3], scalars: [-1, 0, 2, 3, -4, 0.5])
        #expect(try ReLU().forward(x, training: false).scalars == [0, 0, 2, 3, 0, 0.5])
        let flat = try Flatten().forward(x, training: false)
        #expect(flat.shape == [2, 3])
    }

    @Test func l2NormalizeRowsAndZeroRow() throws {
        let x = try Tensor(shape: [2, 2], scalars: [3, 4, 0, 0])
        let y = try L2Normalize().forward(x, training: false)
        #expect(y.scalars == [0.6, 0.8, 0, 0])
    }

    @Test func batchNormStatistics() throws {
        let layer = try BatchNorm(features: 2, eps: 1e-5, momentum: 0.1, spatial: false)
        let x = try Tensor(shape: [4, 2], scalars: [1, 10, 2, 20, 3, 30, 4, 40])
        let y = try layer.forward(x, training: true)
        // Feature 0: mean 2.5, biased variance 1.25, unbiased 5/3.
        let inv = 1 / (1.25 + 1e-5 as Float).squareRoot()
        #expect(abs(y[0, 0] - (1 - 2.5) * inv) < 1e-5)
        #expect(abs(layer.runningMean.value.scalars[0] - 0.25) < 1e-6)
        #expect(abs(layer.runningVar.value.scalars[0] - (0.9 + 0.1 * 5 / 3)) < 1e-6)
        #expect(abs(layer.runningVar.value.scalars[1] - (0.9 + 0.1 * 500 / 3)) < 1e-4)
        #expect(layer.numBatchesTracked.value.shape == [])
        #expect(layer.numBatchesTracked.value.scalars == [1])
        // Evaluation uses the running statistics.
        let eval = try layer.forward(x, training: false)
        let expected = (1 - 0.25) / (layer.runningVar.value.scalars[0] + 1e-5).squareRoot()
        #expect(abs(eval[0, 0] - expected) < 1e-5)
    }

    @Test func dropoutScalesSurvivorsAndIsReproducible() throws {
        var g = SeededGenerator(seed: 23)
        let layer = try Dropout(p: 0.25, generator: &g)
        let x = try Tensor(repeating: 1, shape: [100, 100])
        let saved = layer.generator
        let y = try layer.forward(x, training: true)
        #expect(Set(y.scalars).isSubset(of: [0, 1 / 0.75]))
        let kept = Double(y.scalars.filter { $0 != 0 }.count) / 10_000
        #expect(abs(kept - 0.75) < 0.02)
        // Restoring the generator's state (as a checkpoint would) replays the same mask.
        layer.generator = SeededGenerator(state: saved.state)
        #expect(try layer.forward(x, training: true) == y)
        #expect(try layer.forward(x, training: false) == x)
        let none = try Dropout(p: 1, generator: &g)
        #expect(try none.forward(x, training: true).scalars.allSatisfy { $0 == 0 })
    }

    @Test func gradientCheckerCatchesAWrongGradient() throws {
        var values: [Float] = [1, 2, 3]
        withKnownIssue {
            expectGradient(
                [0, 0, 0], of: &values, indices: [0, 1, 2], step: 1e-2, tolerance: 1e-3, "deliberately wrong",
                loss: { $0.reduce(0) { $0 + Double($1 * $1) } })
        }
    }
}
