import Testing
import TripletCore

@testable import TripletNetworks

/// `BatchNorm.statisticsSum` (synchronised BatchNorm) in one process: a layer that holds the first rows of a
/// batch, its `statisticsSum` adding what a second process holding the other rows would add, gives the
/// outputs, input gradient and running statistics of one layer on the whole batch — whose backward the
/// finite-difference tests check.
@Suite("Synchronised BatchNorm")
struct SynchronisedBatchNormTests {
    /// The sums another process holding `rows` ([n, C] or [n, C, H, W]) with gradients `gradients` adds, call
    /// by call: the sums and count, the centred squares (about the whole batch's mean), the backward sums.
    final class OtherProcess {
        let rows: Tensor, gradients: Tensor, features: Int, inner: Int, eps: Float
        private var calls = 0
        private var count = 0.0, mean: [Double] = [], invStd: [Double] = []

        init(rows: Tensor, gradients: Tensor, features: Int, eps: Float) {
            (self.rows, self.gradients, self.features, self.eps) = (rows, gradients, features, eps)
            inner = rows.rowWidth / features
        }

        /// The values of feature `f` in `tensor`'s rows.
        private func values(_ tensor: Tensor, _ f: Int) -> [Double] {
            (0..<tensor.rowCount).flatMap { s in
                (0..<inner).map { Double(tensor.scalars[(s * features + f) * inner + $0]) }
            }
        }

        func add(_ sums: inout [Double]) {
            calls += 1
            let c = features
            switch calls {
            case 1:  // Σ x and the count
                for f in 0..<c { sums[f] += values(rows, f).reduce(0, +) }
                sums[c] += Double(rows.rowCount * inner)
                count = sums[c]
                mean = (0..<c).map { sums[$0] / count }
            case 2:  // Σ (x − μ)²
                for f in 0..<c { sums[f] += values(rows, f).map { ($0 - mean[f]) * ($0 - mean[f]) }.reduce(0, +) }
                invStd = (0..<c).map { 1 / (sums[$0] / count + Double(eps)).squareRoot() }
            default:  // Σ dy, Σ dy·x̂, the count
                for f in 0..<c {
                    let x = values(rows, f), dy = values(gradients, f)
                    sums[f] += dy.reduce(0, +)
                    sums[c + f] += zip(x, dy).map { ($0 - mean[f]) * invStd[f] * $1 }.reduce(0, +)
                }
                sums[2 * c] += Double(rows.rowCount * inner)
            }
        }
    }

    @Test(arguments: [[7, 3], [3, 2, 3, 4]])
    func halfTheBatchWithTheOthersSumsIsTheWholeBatch(shape: [Int]) throws {
        var g = SeededGenerator(seed: 21)
        let features = shape[1], spatial = shape.count == 4
        let input = randomTensor(shape, &g, low: -2, high: 3), gradient = randomTensor(shape, &g)
        let local = shape[0] / 2
        let mine = Array(0..<local), theirs = Array(local..<shape[0])
        let whole = try BatchNorm(features: features, spatial: spatial)
        let part = try BatchNorm(features: features, spatial: spatial)
        for layer in [whole, part] {
            layer.weight.value = randomTensor([features], &g, low: 0.5, high: 1.5)
            layer.bias.value = randomTensor([features], &g)
        }
        part.weight.value = whole.weight.value
        part.bias.value = whole.bias.value
        let other = OtherProcess(
            rows: try rows(input, theirs), gradients: try rows(gradient, theirs), features: features, eps: part.eps)
        part.statisticsSum = { other.add(&$0) }

        let expected = try whole.forward(input, training: true)
        let output = try part.forward(try rows(input, mine), training: true)
        expectClose(output, try rows(expected, mine), "output")
        let expectedGradient = try whole.backward(gradient)
        let inputGradient = try part.backward(try rows(gradient, mine))
        expectClose(inputGradient, try rows(expectedGradient, mine), "input gradient")
        expectClose(part.runningMean.value, whole.runningMean.value, "running mean")
        expectClose(part.runningVar.value, whole.runningVar.value, "running variance")
    }

    /// Rows `indices` of `tensor` (its first dimension).
    func rows(_ tensor: Tensor, _ indices: [Int]) throws -> Tensor {
        let width = tensor.rowWidth
        return try Tensor(
            shape: [indices.count] + tensor.shape.dropFirst(),
            scalars: indices.flatMap { tensor.scalars[$0 * width..<($0 + 1) * width] })
    }

    func expectClose(_ a: Tensor, _ b: Tensor, _ what: String) {
        #expect(a.shape == b.shape, "\(what): shape \(a.shape), not \(b.shape)")
        let worst = zip(a.scalars, b.scalars).map { abs($0 - $1) }.max() ?? 0
        #expect(worst <= 1e-5, "\(what) differs by \(worst)")
    }
}
