import Foundation
import TripletCore

/// Weight initialisers with PyTorch's formulas (`torch.nn.init`). Fans follow PyTorch: for a weight of
/// shape [out, in, k…], fan_in = in·∏k and fan_out = out·∏k.
///
/// ```swift
/// var g = SeededGenerator(seed: 1)
/// let w = try Initializers.kaimingUniform(shape: [256, 784], a: 5.squareRoot(), generator: &g)
/// ```
public enum Initializers {
    /// The most elements one parameter tensor may have (2³⁰, 4 GiB of Float32): a larger size, such as one
    /// read from a damaged model.json, is refused before anything is allocated.
    public static let maximumParameterCount = 1 << 30

    /// Throws `TripletError.invalidParameter` unless `shape`'s dimensions are non-negative and their product
    /// is at most `maximumParameterCount`.
    public static func checkParameterShape(_ shape: [Int], name: String = "weight shape") throws {
        var count = 1
        for dimension in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard dimension >= 0, !overflow, product <= maximumParameterCount else {
                throw TripletError.invalidParameter(
                    name: name, value: "\(shape)",
                    expected: "non-negative dimensions with at most \(maximumParameterCount) elements in all")
            }
            count = product
        }
    }

    /// (fan_in, fan_out) of a weight shape, as `torch.nn.init._calculate_fan_in_and_fan_out`.
    public static func fans(of shape: [Int]) throws -> (fanIn: Int, fanOut: Int) {
        guard shape.count >= 2, shape.allSatisfy({ $0 > 0 }) else {
            throw TripletError.invalidParameter(
                name: "weight shape", value: "\(shape)", expected: "at least two positive dimensions")
        }
        try checkParameterShape(shape)
        let receptive = shape.dropFirst(2).reduce(1, *)
        return (shape[1] * receptive, shape[0] * receptive)
    }

    /// U(−bound, bound) with bound = gain·√(3 / fan_in), gain = √(2 / (1 + a²)): `kaiming_uniform_`
    /// (mode fan_in, leaky_relu). `a = √5` is what `nn.Linear` and `nn.Conv2d` use, bound = 1/√fan_in.
    public static func kaimingUniform(shape: [Int], a: Float = 0, generator: inout SeededGenerator) throws -> Tensor {
        let fanIn = try fans(of: shape).fanIn
        let gain = (2 / (1 + a * a)).squareRoot()
        return try uniform(shape: shape, bound: gain * (3 / Float(fanIn)).squareRoot(), generator: &generator)
    }

    /// N(0, std²) with std = gain / √fan_in, gain = √(2 / (1 + a²)): `kaiming_normal_` (mode fan_in).
    public static func kaimingNormal(shape: [Int], a: Float = 0, generator: inout SeededGenerator) throws -> Tensor {
        let fanIn = try fans(of: shape).fanIn
        let std = (2 / (1 + a * a)).squareRoot() / Float(fanIn).squareRoot()
        return try normal(shape: shape, std: std, generator: &generator)
    }

    /// U(−bound, bound) with bound = gain·√(6 / (fan_in + fan_out)): `xavier_uniform_`.
    public static func xavierUniform(shape: [Int], gain: Float = 1, generator: inout SeededGenerator) throws -> Tensor {
        let (fanIn, fanOut) = try fans(of: shape)
        return try uniform(shape: shape, bound: gain * (6 / Float(fanIn + fanOut)).squareRoot(), generator: &generator)
    }

    /// N(0, std²) with std = gain·√(2 / (fan_in + fan_out)): `xavier_normal_`.
    public static func xavierNormal(shape: [Int], gain: Float = 1, generator: inout SeededGenerator) throws -> Tensor {
        let (fanIn, fanOut) = try fans(of: shape)
        return try normal(shape: shape, std: gain * (2 / Float(fanIn + fanOut)).squareRoot(), generator: &generator)
    }

    /// Whether the initialisers draw their values (the default) or leave zeros, for a caller that loads every
    /// value next: `Initializers.$drawsValues.withValue(false) { … }` around building a model read from a file.
    /// The generator then advances less, so use it only where nothing else is drawn from it afterwards.
    @TaskLocal public static var drawsValues = true

    /// U(−bound, bound) in every element (all zeros when bound is 0).
    public static func uniform(shape: [Int], bound: Float, generator: inout SeededGenerator) throws -> Tensor {
        guard bound.isFinite, bound >= 0 else {
            throw TripletError.invalidParameter(name: "bound", value: "\(bound)", expected: "a finite value >= 0")
        }
        try reserve(shape)
        var t = try Tensor(repeating: 0, shape: shape)
        guard bound > 0, drawsValues else { return t }
        for i in t.scalars.indices { t.scalars[i] = Float.random(in: -bound..<bound, using: &generator) }
        return t
    }

    /// N(0, std²) in every element.
    public static func normal(shape: [Int], std: Float, generator: inout SeededGenerator) throws -> Tensor {
        guard std.isFinite, std >= 0 else {
            throw TripletError.invalidParameter(name: "std", value: "\(std)", expected: "a finite value >= 0")
        }
        try reserve(shape)
        var t = try Tensor(repeating: 0, shape: shape)
        guard drawsValues else { return t }
        for i in t.scalars.indices { t.scalars[i] = std * generator.nextNormal() }
        return t
    }

    /// PyTorch's default for `nn.Linear` / `nn.Conv2d`: weight kaiming_uniform(a = √5), i.e.
    /// U(±1/√fan_in), and bias U(±1/√fan_in) (nil when `bias` is false).
    static func pytorchDefault(
        weightShape: [Int], bias: Bool, generator: inout SeededGenerator
    ) throws -> (weight: Tensor, bias: Tensor?) {
        let weight = try kaimingUniform(shape: weightShape, a: Float(5).squareRoot(), generator: &generator)
        guard bias else { return (weight, nil) }
        let bound = 1 / Float(try fans(of: weightShape).fanIn).squareRoot()
        return (weight, try uniform(shape: [weightShape[0]], bound: bound, generator: &generator))
    }
}
