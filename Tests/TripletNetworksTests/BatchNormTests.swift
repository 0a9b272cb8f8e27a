import Testing
import TripletCore

@testable import TripletNetworks

/// BatchNorm2d on a batch large enough to split its channels across threads: the same numbers on one
/// thread and on two, and the normalisation of a direct float64 computation.
@Suite("BatchNorm")
struct BatchNormTests {
    @Test func channelsSplitAcrossThreadsGiveTheSameNumbersAsOneThread() throws {
        var g = SeededGenerator(seed: 12)
        let shape = [16, 8, 16, 16]  // 32 768 elements: the threaded path
        let x = randomTensor(shape, &g)
        let dy = randomTensor(shape, &g)
        var results: [(Tensor, Tensor, [Float], [Float], [Float])] = []
        for threads in [1, 2] {
            let bn = try BatchNorm(features: 8, eps: 1e-5, momentum: 0.1, spatial: true)
            bn.threads = threads
            let y = try bn.forward(x, training: true)
            let dx = try bn.backward(dy)
            results.append((y, dx, bn.weight.gradient.scalars, bn.bias.gradient.scalars, bn.runningVar.value.scalars))
        }
        #expect(results[0].0 == results[1].0 && results[0].1 == results[1].1)
        #expect(results[0].2 == results[1].2 && results[0].3 == results[1].3 && results[0].4 == results[1].4)

        let plane = 16 * 16
        for channel in 0..<8 {
            let values = (0..<16).flatMap { n in (0..<plane).map { Double(x.scalars[(n * 8 + channel) * plane + $0]) } }
            let mean = values.reduce(0, +) / Double(values.count)
            let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
            let first = (0 * 8 + channel) * plane
            let expected = (Double(x.scalars[first]) - mean) / (variance + 1e-5).squareRoot()
            #expect(abs(Double(results[0].0.scalars[first]) - expected) < 1e-5)
            let running = 0.9 + 0.1 * variance * Double(values.count) / Double(values.count - 1)
            #expect(abs(Double(results[0].4[channel]) - running) < 1e-6)
        }
    }
}
