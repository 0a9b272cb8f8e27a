import Foundation
import Testing
import TripletCore

@testable import TripletNetworks

/// value i = scale·sin(a·i + b), as `formula` in Benchmarks/reference/networks_reference.py.
func formula(_ shape: [Int], _ a: Double, _ b: Double, _ scale: Double) -> Tensor {
    let count = shape.reduce(1, *)
    return try! Tensor(shape: shape, scalars: (0..<count).map { Float(scale * sin(a * Double($0) + b)) })
}

/// Optimizers against PyTorch's trajectories: three steps over two parameters, gradient
/// 0.5·sin(0.7·i + 1.3·t) and learning rate 0.01·(t + 1) at step t.
@Suite("Optimizers")
struct OptimizerTests {
    func run(_ optimizer: any Optimizer) throws -> [Float] {
        let a = Parameter(name: "a", value: formula([2, 3], 1, 1, 1))
        let b = Parameter(name: "b", value: formula([3], 1, 0.5, 1))
        for t in 0..<3 {
            for p in [a, b] { p.gradient = formula(p.value.shape, 0.7, 1.3 * Double(t), 0.5) }
            try optimizer.step([("a", a), ("b", b)], learningRate: 0.01 * Float(t + 1))
        }
        #expect(optimizer.stepCount == 3)
        return a.value.scalars + b.value.scalars
    }

    func expectMatches(_ got: [Float], _ expected: [Float], sourceLocation: SourceLocation = #_sourceLocation) {
        for (g, e) in zip(got, expected) {
            #expect(abs(g - e) <= 2e-7 + 1e-6 * abs(e), "got \(g), PyTorch \(e)", sourceLocation: sourceLocation)
        }
    }

    @Test func sgd() throws {
        expectMatches(try run(SGD()), TorchReference.sgd)
        expectMatches(try run(SGD(momentum: 0.9)), TorchReference.sgdMomentum)
        expectMatches(
            try run(SGD(momentum: 0.9, dampening: 0.1, weightDecay: 0.01)), TorchReference.sgdDampenedDecay)
        expectMatches(try run(SGD(momentum: 0.9, nesterov: true, weightDecay: 0.05)), TorchReference.sgdNesterov)
    }

    @Test func adam() throws {
        let adam = try Adam()
        expectMatches(try run(adam), TorchReference.adam)
        let state = Dictionary(uniqueKeysWithValues: adam.stateDict())
        expectMatches(try #require(state["a.exp_avg"]).scalars, TorchReference.adamExpAvg)
        expectMatches(try #require(state["a.exp_avg_sq"]).scalars, TorchReference.adamExpAvgSq)
        #expect(state["a.step"]?.scalars == [3])
        #expect(state["step"]?.scalars == [3])
        expectMatches(
            try run(Adam(beta1: 0.8, beta2: 0.99, eps: 1e-6, weightDecay: 0.1)), TorchReference.adamDecay)
    }

    @Test func adamW() throws {
        expectMatches(try run(AdamW(weightDecay: 0.1)), TorchReference.adamW)
    }

    @Test func threadsDoNotChangeTheResult() throws {
        var results: [[Float]] = []
        for (threads, optimizer) in [
            (1, try AdamW() as any Optimizer), (2, try AdamW()), (1, try SGD(momentum: 0.9)),
            (2, try SGD(momentum: 0.9)),
        ] {
            optimizer.threads = threads
            let p = Parameter(name: "w", value: formula([300, 300], 0.01, 0, 1))
            for t in 0..<3 {
                p.gradient = formula([300, 300], 0.02, Double(t), 1)
                try optimizer.step([("w", p)], learningRate: 0.01)
            }
            results.append(p.value.scalars)
        }
        #expect(results[0] == results[1])
        #expect(results[2] == results[3])
    }

    @Test func stateDictRoundTripContinuesTheSameTrajectory() throws {
        let a = Parameter(name: "a", value: formula([4], 1, 0, 1))
        let b = Parameter(name: "a", value: a.value)
        let first = try Adam(), second = try Adam()
        for t in 0..<2 {
            a.gradient = formula([4], 0.3, Double(t), 1)
            try first.step([("w", a)], learningRate: 0.1)
        }
        b.value = a.value
        try second.load(stateDict: first.stateDict())
        #expect(second.stepCount == 2)
        for t in 2..<4 {
            for p in [a, b] { p.gradient = formula([4], 0.3, Double(t), 1) }
            try first.step([("w", a)], learningRate: 0.1)
            try second.step([("w", b)], learningRate: 0.1)
        }
        #expect(a.value == b.value)
        let names = first.stateDict().map(\.0)
        #expect(names == ["step", "w.step", "w.exp_avg", "w.exp_avg_sq"])
        let sgd = try SGD(momentum: 0.5)
        a.gradient = formula([4], 0.3, 0, 1)
        try sgd.step([("layers.0.weight", a)], learningRate: 0.1)
        #expect(sgd.stateDict().map(\.0) == ["step", "layers.0.weight.momentum_buffer"])
    }

    @Test func badInputThrowsAndChangesNothing() throws {
        let p = Parameter(name: "w", value: formula([3], 1, 0, 1))
        p.gradient = formula([3], 1, 1, 1)
        let before = p.value
        let adam = try Adam()
        for lr: Float in [-1, .nan, .infinity] {
            #expect(throws: TripletError.self) { try adam.step([("w", p)], learningRate: lr) }
        }
        p.gradient.scalars[1] = .nan
        #expect(throws: TripletError.self) { try adam.step([("w", p)], learningRate: 0.1) }
        p.gradient = formula([4], 1, 1, 1)
        #expect(throws: TripletError.self) { try adam.step([("w", p)], learningRate: 0.1) }
        p.gradient = formula([3], 1, 1, 1)
        #expect(throws: TripletError.self) { try adam.step([("w", p), ("w", p)], learningRate: 0.1) }
        #expect(p.value == before)
        #expect(adam.stepCount == 0)

        #expect(throws: TripletError.self) { try Adam(beta1: 1) }
        #expect(throws: TripletError.self) { try Adam(eps: -1) }
        #expect(throws: TripletError.self) { try SGD(momentum: -0.1) }
        #expect(throws: TripletError.self) { try SGD(nesterov: true) }
        #expect(throws: TripletError.self) { try SGD(momentum: 0.9, dampening: 0.1, nesterov: true) }

        // Malformed state: an unknown name, a missing slot, no step, mismatched shapes.
        let good = try Adam()
        try good.step([("w", p)], learningRate: 0.1)
        var state = good.stateDict()
        #expect(throws: TripletError.self) { try adam.load(stateDict: state + [("w.momentum_buffer", p.value)]) }
        #expect(throws: TripletError.self) { try adam.load(stateDict: state.filter { $0.0 != "w.exp_avg" }) }
        #expect(throws: TripletError.self) { try adam.load(stateDict: state.filter { $0.0 != "step" }) }
        state = state.map { $0.0 == "w.exp_avg" ? ($0.0, formula([5], 1, 0, 1)) : $0 }
        #expect(throws: TripletError.self) { try adam.load(stateDict: state) }
        // State whose shape no longer matches the parameter is caught at the next step.
        let other = try Adam()
        try other.load(stateDict: good.stateDict())
        let q = Parameter(name: "w", value: formula([2], 1, 0, 1))
        #expect(throws: TripletError.self) { try other.step([("w", q)], learningRate: 0.1) }
    }
}
