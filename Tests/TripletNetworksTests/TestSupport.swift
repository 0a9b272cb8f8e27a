import Testing
import TripletCore

@testable import TripletNetworks

/// A tensor of uniform values in [low, high).
func randomTensor(_ shape: [Int], _ g: inout SeededGenerator, low: Float = -1, high: Float = 1) -> Tensor {
    let count = shape.reduce(1, *)
    return try! Tensor(shape: shape, scalars: (0..<count).map { _ in Float.random(in: low..<high, using: &g) })
}

/// A tensor whose values are distinct and at least `gap` apart (no ties in a max, no value near a kink).
func distinctTensor(_ shape: [Int], _ g: inout SeededGenerator, gap: Float = 0.05) -> Tensor {
    let count = shape.reduce(1, *)
    var values = (0..<count).map { Float($0 - count / 2) * gap + gap / 2 }
    values.shuffle(using: &g)
    return try! Tensor(shape: shape, scalars: values)
}

/// Σ weights·output in Double.
func weightedSum(_ output: Tensor, _ weights: Tensor) -> Double {
    zip(output.scalars, weights.scalars).reduce(0) { $0 + Double($1.0) * Double($1.1) }
}

/// Checks `analytic` against central differences of `loss` over the entries `indices` of `values`.
func expectGradient(
    _ analytic: [Float], of values: inout [Float], indices: [Int], step: Float, tolerance: Double,
    _ what: String, loss: ([Float]) throws -> Double, sourceLocation: SourceLocation = #_sourceLocation
) rethrows {
    let scale = max(1, Double(analytic.map { abs($0) }.max() ?? 0))
    var worst = 0.0
    var worstIndex = -1
    for i in indices {
        let saved = values[i]
        values[i] = saved + step
        let plus = try loss(values)
        values[i] = saved - step
        let minus = try loss(values)
        values[i] = saved
        let numeric = (plus - minus) / (2 * Double(step))
        let error = abs(numeric - Double(analytic[i])) / scale
        if error > worst { (worst, worstIndex) = (error, i) }
    }
    #expect(
        worst <= tolerance, "\(what): worst relative error \(worst) at \(worstIndex)", sourceLocation: sourceLocation)
}

/// Finite-difference check of a layer's input gradient and every parameter's gradient, with the loss
/// Σ w·forward(x) for a fixed random w. `prepare` runs before every forward (to reset a dropout mask).
func checkLayerGradients(
    _ layer: any Layer, input: Tensor, step: Float = 1e-2, tolerance: Double = 2e-3, maxChecks: Int = 400,
    prepare: () -> Void = {}, sourceLocation: SourceLocation = #_sourceLocation
) throws {
    var g = SeededGenerator(seed: 99)
    prepare()
    let output = try layer.forward(input, training: true)
    let weights = randomTensor(output.shape, &g)
    for p in layer.parameters { p.zeroGradient() }
    let gradInput = try layer.backward(weights)
    #expect(gradInput.shape == input.shape, sourceLocation: sourceLocation)
    func sample(_ count: Int) -> [Int] {
        count <= maxChecks ? Array(0..<count) : (0..<maxChecks).map { $0 * count / maxChecks }
    }
    var x = input.scalars
    try expectGradient(
        gradInput.scalars, of: &x, indices: sample(x.count), step: step, tolerance: tolerance, "input gradient",
        loss: { values in
            prepare()
            return weightedSum(try layer.forward(Tensor(shape: input.shape, scalars: values), training: true), weights)
        }, sourceLocation: sourceLocation)
    for parameter in layer.parameters {
        let analytic = parameter.gradient.scalars
        var values = parameter.value.scalars
        let original = parameter.value
        try expectGradient(
            analytic, of: &values, indices: sample(values.count), step: step, tolerance: tolerance,
            "gradient of \(parameter.name)",
            loss: { values in
                parameter.value = try Tensor(shape: original.shape, scalars: values)
                prepare()
                return weightedSum(try layer.forward(input, training: true), weights)
            }, sourceLocation: sourceLocation)
        parameter.value = original
    }
}

/// Whether two tensors have the same shape and entries within `tolerance` (absolute).
func expectClose(
    _ a: Tensor, _ b: Tensor, tolerance: Float, _ what: String = "", sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(a.shape == b.shape, "\(what): shapes \(a.shape) vs \(b.shape)", sourceLocation: sourceLocation)
    let worst = zip(a.scalars, b.scalars).map { abs($0 - $1) }.max() ?? 0
    #expect(worst <= tolerance, "\(what): largest difference \(worst)", sourceLocation: sourceLocation)
}

/// Expects `body` to throw a `TripletError` whose description contains every one of `words`.
func expectTripletError(
    mentioning words: [String], _ what: String = "", sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> Void
) {
    let error = #expect(throws: TripletError.self, "\(what)", sourceLocation: sourceLocation) { try body() }
    guard let error else { return }
    for word in words {
        #expect("\(error)".contains(word), "\(what): \"\(error)\" names \(word)", sourceLocation: sourceLocation)
    }
}

/// A tensor of `shape` filled with `value` (sizes chosen by the test, valid by construction).
func constantTensor(_ shape: [Int], _ value: Float) -> Tensor { try! Tensor(repeating: value, shape: shape) }
