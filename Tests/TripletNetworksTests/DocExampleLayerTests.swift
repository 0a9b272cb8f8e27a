import Foundation
import Testing
import TripletCore
import TripletNetworks

// The example of the DocC article "Writing a custom layer"
// (Sources/TripletNetworks/Documentation.docc/CustomLayers.md). Every `swift` code block of the article
// appears in this file (indentation aside), which `articleCodeIsThisFilesCode` checks, so the article's
// code is the code compiled and run here. Only public API is used: this file imports TripletNetworks
// without @testable, as a user's module would.

/// Swish with a learnable β (Ramachandran, Zoph & Le 2017), elementwise:
/// y = x·σ(βx), dy/dx = σ(βx) + βx·σ(βx)·(1 − σ(βx)), dy/dβ = x²·σ(βx)·(1 − σ(βx)).
public final class Swish: ConfigurableLayer {
    /// What the sidecar stores: β before training (the trained β is a weight, saved with the others).
    public struct Configuration: Codable, Sendable {
        /// The initial β.
        public var beta: Float
        /// A configuration with this initial β.
        public init(beta: Float = 1) { self.beta = beta }
    }
    /// The kind the sidecar names it by.
    public static let kind = "swish"

    /// β, one learnable number; its `state_dict` name is "beta" ("layers.3.beta" in a network).
    public let beta: Parameter
    private let initialBeta: Float
    private var input: Tensor?  // what backward needs, kept by a training-mode forward

    /// A Swish layer whose β starts at `beta`.
    public init(beta: Float = 1) throws {
        guard beta.isFinite else {
            throw TripletError.invalidParameter(
                name: "\"swish\" layer field \"beta\"", value: "\(beta)", expected: "a finite number")
        }
        initialBeta = beta
        self.beta = Parameter(name: "beta", value: try Tensor(shape: [1], scalars: [beta]))
    }

    /// The layer a sidecar describes.
    public convenience init(configuration: Configuration, builder: inout LayerBuilder) throws {
        try self.init(beta: configuration.beta)
    }
    /// What the sidecar stores.
    public var configuration: Configuration { Configuration(beta: initialBeta) }
    /// β.
    public var parameters: [Parameter] { [beta] }

    /// x·σ(βx); in training, remembers x for backward.
    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        guard !input.shape.isEmpty else {
            throw TripletError.shapeMismatch(expected: "[N, …] for Swish", got: input.shape)
        }
        self.input = training ? input : nil
        let b = beta.value.scalars[0]
        return try Tensor(shape: input.shape, scalars: input.scalars.map { x in x * Self.sigmoid(b * x) })
    }

    /// dL/dx, and dL/dβ added into β's gradient.
    public func backward(_ gradOutput: Tensor) throws -> Tensor {
        guard let input, gradOutput.shape == input.shape else {
            throw TripletError.shapeMismatch(
                expected: "the output shape of the last training-mode forward of Swish", got: gradOutput.shape)
        }
        let b = beta.value.scalars[0]
        var gradInput = [Float](repeating: 0, count: input.scalars.count)
        var gradBeta: Float = 0
        for i in input.scalars.indices {
            let (x, dy) = (input.scalars[i], gradOutput.scalars[i])
            let s = Self.sigmoid(b * x)
            let ds = s * (1 - s)
            gradInput[i] = dy * (s + b * x * ds)  // dL/dx
            gradBeta += dy * x * x * ds  // dL/dβ, summed over the batch
        }
        beta.gradient.scalars[0] += gradBeta  // add, never assign: the caller zeroes gradients before a step
        return try Tensor(shape: input.shape, scalars: gradInput)
    }

    static func sigmoid(_ z: Float) -> Float { 1 / (1 + exp(-z)) }
}

extension LayerSpec {
    /// A `Swish` layer, so that architectures read as lists: `[.dense(…), .swish(), …]`.
    public static func swish(beta: Float = 1) -> LayerSpec {
        LayerSpec(kind: Swish.kind, encoding: Swish.Configuration(beta: beta))
    }
}

/// The largest difference between `layer`'s backward pass and central differences of
/// L = Σ w·forward(x) (w fixed and random), over dL/dx and every parameter's gradient, each relative to
/// max(1, its largest entry).
func worstGradientError(of layer: any Layer, at input: Tensor, step: Float = 1e-3) throws -> Float {
    var generator = SeededGenerator(seed: 1)
    let output = try layer.forward(input, training: true)
    let w = try Tensor(
        shape: output.shape, scalars: output.scalars.map { _ in Float.random(in: -1...1, using: &generator) })
    layer.zeroGradients()
    let analyticInput = try layer.backward(w).scalars
    let analyticParameters = layer.parameters.map(\.gradient.scalars)

    func loss(_ x: Tensor) throws -> Double {
        zip(try layer.forward(x, training: true).scalars, w.scalars).reduce(0) { $0 + Double($1.0) * Double($1.1) }
    }
    func centralDifference(_ lossAt: (Float) throws -> Double) throws -> Float {
        Float((try lossAt(step) - lossAt(-step)) / (2 * Double(step)))
    }
    func relativeError(_ analytic: [Float], _ numeric: [Float]) -> Float {
        let scale = max(1, analytic.map(abs).max() ?? 0)
        return zip(analytic, numeric).map { abs($0 - $1) }.max().map { $0 / scale } ?? 0
    }
    let numericInput = try input.scalars.indices.map { i in
        try centralDifference { h in
            var x = input
            x.scalars[i] += h
            return try loss(x)
        }
    }
    var worst = relativeError(analyticInput, numericInput)
    for (parameter, analytic) in zip(layer.parameters, analyticParameters) {
        let saved = parameter.value
        let numeric = try saved.scalars.indices.map { i in
            try centralDifference { h in
                parameter.value.scalars[i] = saved.scalars[i] + h
                return try loss(input)
            }
        }
        parameter.value = saved
        worst = max(worst, relativeError(analytic, numeric))
    }
    return worst
}

@Suite("The custom-layer article's example")
struct DocExampleLayerTests {
    /// Uniform values in [-2, 2).
    func sample(_ shape: [Int], seed: UInt64) throws -> Tensor {
        var g = SeededGenerator(seed: seed)
        return try Tensor(
            shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in Float.random(in: -2..<2, using: &g) })
    }

    @Test func swishComputesItsFormula() throws {
        let layer = try Swish(beta: 0.5)
        let x = try Tensor(rows: [[-2, 0, 3]])
        let y = try layer(x)
        for (xi, yi) in zip(x.scalars, y.scalars) {
            #expect(abs(yi - xi / (1 + exp(-0.5 * xi))) < 1e-6)
        }
        #expect(Swish.kind == "swish" && layer.spec == .swish(beta: 0.5))
        #expect(throws: TripletError.self) { try Swish(beta: .nan) }
        #expect(throws: TripletError.self) { try layer.backward(y) }  // no training-mode forward yet
    }

    @Test func gradientsMatchFiniteDifferences() throws {
        var registry = LayerRegistry.standard
        registry.register(Swish.self)
        let x = try Tensor(rows: [[-2, -1, 0, 1, 2], [0.5, -0.5, 1.5, -1.5, 3], [-3, 2.5, -0.1, 0.1, 0.7]])
        let layer = try Swish(beta: 0.7)
        #expect(try worstGradientError(of: layer, at: x) < 1e-2)
        #expect(
            try worstGradientError(
                of: try Sequential([.dense(inputs: 5, outputs: 4), .swish()], seed: 0, registry: registry), at: x)
                < 1e-2)
        // The parameter gradient is accumulated, not overwritten: a second backward doubles it.
        layer.zeroGradients()
        let w = try sample([3, 5], seed: 8)
        _ = try layer.forward(x, training: true)
        _ = try layer.backward(w)
        let once = layer.beta.gradient.scalars[0]
        _ = try layer.backward(w)
        #expect(abs(layer.beta.gradient.scalars[0] - 2 * once) <= 1e-5 * max(1, abs(once)))
        #expect(once != 0)
    }

    @Test func registeredItBuildsInContainersAndItsGradientsFlow() throws {
        var registry = LayerRegistry.standard  // a copy: the standard registry itself is unchanged
        registry.register(Swish.self)

        let network = try Sequential(
            [
                .dense(inputs: 4, outputs: 8), .swish(),
                .residual(body: [.dense(inputs: 8, outputs: 8), .swish(beta: 0.5)]),
                .dense(inputs: 8, outputs: 3),
            ], seed: 0, registry: registry)

        #expect(network.layers[1] is Swish)
        let names = network.stateDict().map(\.0)
        #expect(names.contains("layers.1.beta") && names.contains("layers.2.body.1.beta"), "\(names)")
        #expect(!LayerRegistry.standard.kinds.contains("swish"))
        #expect(try worstGradientError(of: network, at: try sample([4, 4], seed: 3)) < 1e-2)
    }

    @Test func jsonAndSafetensorsRoundTrip() throws {
        var registry = LayerRegistry.standard
        registry.register(Swish.self)
        let network = try Sequential(
            [.dense(inputs: 4, outputs: 8), .swish(beta: 1.5), .residual(body: [.swish()])], seed: 0,
            registry: registry)
        // Pretend training moved β, so that the round trip has to carry the weights, not only the specs.
        (network.layers[1] as? Swish)?.beta.value.scalars[0] = 0.25
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("swish-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }

        // Save: the architecture as JSON, the weights as safetensors (PyTorch's state_dict names).
        let architecture = try JSONEncoder().encode(network.specs)
        try architecture.write(to: folder.appendingPathComponent("architecture.json"))
        try SafeTensors.write(network.stateDict(), to: folder.appendingPathComponent("weights.safetensors"))

        // Load: rebuild the layers with the same registry, then load the weights.
        let specs = try JSONDecoder().decode(
            [LayerSpec].self, from: Data(contentsOf: folder.appendingPathComponent("architecture.json")))
        let restored = try Sequential(specs, seed: 0, registry: registry)
        try restored.load(
            stateDict: SafeTensors.read(from: folder.appendingPathComponent("weights.safetensors")).tensors)

        #expect(String(decoding: architecture, as: UTF8.self).contains(#"{"swish":{"beta":1.5}}"#))
        #expect(specs == network.specs)
        #expect((restored.layers[1] as? Swish)?.beta.value.scalars == [0.25])
        let x = try sample([2, 4], seed: 5)
        #expect(try restored(x) == network(x))
        // Without the registration, the kind is named in the error.
        #expect(throws: TripletError.self) { try Sequential(specs, seed: 0) }
    }

    /// Each `swift` block of the article, compared line by line without indentation, is in this file.
    @Test func articleCodeIsThisFilesCode() throws {
        let here = URL(fileURLWithPath: #filePath)
        let root = here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let article = try String(
            contentsOf: root.appendingPathComponent("Sources/TripletNetworks/Documentation.docc/CustomLayers.md"),
            encoding: .utf8)
        let source = Self.normalized(try String(contentsOf: here, encoding: .utf8))
        let blocks = article.components(separatedBy: "```swift\n").dropFirst().map {
            String($0.prefix(upTo: $0.range(of: "```")!.lowerBound))
        }
        #expect(blocks.count >= 4)
        for block in blocks where !block.hasPrefix("// TripletKit") {
            #expect(source.contains(Self.normalized(block)), "not in the test: \(block)")
        }
    }

    static func normalized(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: "\n")
    }
}
