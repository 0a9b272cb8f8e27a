import TripletCore

/// Inverted dropout, `nn.Dropout(p)`: in training each element is zeroed with probability p and the
/// survivors are scaled by 1 / (1 − p); evaluation passes the input through.
///
/// The layer owns its `generator` (seeded from the one passed to `init`); save `generator.state` with a
/// checkpoint and restore it with `generator = SeededGenerator(state: saved)` to continue the same masks.
public final class Dropout: ConfigurableLayer {
    /// The probability of zeroing an element, in [0, 1].
    public let p: Float
    /// The generator that draws the masks.
    public var generator: SeededGenerator
    private var mask: Tensor?

    /// A dropout layer whose generator is seeded from `generator`; throws unless 0 <= p <= 1.
    public init(p: Float, generator: inout SeededGenerator) throws {
        guard p >= 0, p <= 1 else {
            throw TripletError.invalidParameter(name: "dropout p", value: "\(p)", expected: "a probability in [0, 1]")
        }
        self.p = p
        self.generator = SeededGenerator(seed: generator.next())
    }

    /// The drop probability.
    public struct Configuration: Codable, Sendable {
        /// The probability of zeroing an element.
        public var p: Float
    }
    /// "dropout".
    public static let kind = "dropout"
    /// Its probability.
    public var configuration: Configuration { Configuration(p: p) }

    /// A layer of `configuration`, its generator seeded from `builder.generator`.
    public convenience init(configuration c: Configuration, builder: inout LayerBuilder) throws {
        try self.init(p: c.p, generator: &builder.generator)
    }
    /// None.
    public var parameters: [Parameter] { [] }

    /// x·mask / (1 − p) in training, x in evaluation.
    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        guard !input.shape.isEmpty else {
            throw TripletError.shapeMismatch(expected: "[N, …] for Dropout", got: input.shape)
        }
        guard training else {
            mask = nil
            return input
        }
        let keep = 1 - p
        let scale: Float = keep > 0 ? 1 / keep : 0
        // An element survives when its 32 random bits fall below keep·2³².
        let threshold = UInt64((Double(keep) * 4_294_967_296).rounded(.down))
        var g = generator
        let m = Tensor.filled(input.shape) { m in
            var i = 0
            while i < m.count {
                let bits = g.next()
                m[i] = bits & 0xFFFF_FFFF < threshold ? scale : 0
                if i + 1 < m.count { m[i + 1] = bits >> 32 < threshold ? scale : 0 }
                i += 2
            }
        }
        generator = g
        mask = m
        return Tensor.filled(input.shape) { out in
            input.scalars.withUnsafeBufferPointer { x in
                m.scalars.withUnsafeBufferPointer { m in
                    Kernels.multiply(x.baseAddress!, m.baseAddress!, out.baseAddress!, count: out.count)
                }
            }
        }
    }

    /// dL/dx = dL/dy·mask / (1 − p).
    public func backward(_ gradOutput: Tensor) throws -> Tensor {
        _ = try ShapeCheck.gradient(gradOutput, matches: mask?.shape, layer: "Dropout")
        guard let mask else { return gradOutput }
        return Tensor.filled(mask.shape) { dx in
            gradOutput.scalars.withUnsafeBufferPointer { dy in
                mask.scalars.withUnsafeBufferPointer { m in
                    Kernels.multiply(dy.baseAddress!, m.baseAddress!, dx.baseAddress!, count: dx.count)
                }
            }
        }
    }
}

extension LayerSpec {
    /// `nn.Dropout(p)`: a `Dropout` layer.
    public static func dropout(p: Float) -> LayerSpec {
        LayerSpec(kind: Dropout.kind, encoding: Dropout.Configuration(p: p))
    }
}
