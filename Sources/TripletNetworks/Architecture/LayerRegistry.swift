import TripletCore

/// The layer kinds a network can be built from: a table from `LayerSpec.kind` to a function that makes
/// the layer. `LayerRegistry.standard` knows every layer of this module; register your own types to build
/// (and reload from a sidecar) networks that use them:
///
/// ```swift
/// var registry = LayerRegistry.standard
/// registry.register(Swish.self)                 // a ConfigurableLayer of your own
/// let net = try Sequential([.flatten, LayerSpec(kind: "swish")], seed: 0, registry: registry)
/// ```
public struct LayerRegistry: Sendable {
    /// Makes a layer from its spec, drawing initial weights from the builder's generator.
    public typealias Maker = @Sendable (LayerSpec, inout LayerBuilder) throws -> any Layer

    private var makers: [String: Maker] = [:]

    /// A registry that knows no kinds.
    public init() {}

    /// Every layer type of TripletNetworks.
    public static let standard: LayerRegistry = {
        var registry = LayerRegistry()
        let types: [any ConfigurableLayer.Type] = [
            Dense.self, Conv2D.self, MaxPool2D.self, ReLU.self, Dropout.self, Flatten.self, L2Normalize.self,
            GlobalAveragePool2D.self, LayerNorm.self, Embedding.self, GELU.self, Sequential.self, Residual.self,
        ]
        for type in types { registry.register(type) }
        BatchNorm.register(in: &registry)
        return registry
    }()

    /// Registers (or replaces) the maker of `kind`.
    public mutating func register(kind: String, maker: @escaping Maker) {
        makers[kind] = maker
    }

    /// Registers a layer type under its `kind`.
    public mutating func register<L: ConfigurableLayer>(_ type: L.Type) {
        register(kind: L.kind) { spec, builder in
            try L(configuration: try spec.configuration(as: L.Configuration.self), builder: &builder)
        }
    }

    /// The registered kinds, sorted.
    public var kinds: [String] { makers.keys.sorted() }

    /// A new layer for `spec`; throws `TripletError.invalidParameter` for a kind this registry does not know
    /// or a configuration its type refuses.
    public func makeLayer(_ spec: LayerSpec, generator: inout SeededGenerator) throws -> any Layer {
        var builder = LayerBuilder(registry: self, generator: generator)
        defer { generator = builder.generator }
        return try builder.make(spec)
    }

    func maker(for kind: String) throws -> Maker {
        guard let maker = makers[kind] else {
            throw TripletError.invalidParameter(
                name: "layer kind", value: "\"\(kind)\"", expected: "one of \(kinds.joined(separator: ", "))")
        }
        return maker
    }
}

/// What a layer needs while it is built from a spec: the generator of its initial weights and the
/// registry its children (in a container) are made from.
public struct LayerBuilder {
    /// The registry children are made from.
    public let registry: LayerRegistry
    /// Draws initial weights and seeds Dropout's own generators.
    public var generator: SeededGenerator

    /// A builder drawing from `generator`.
    public init(registry: LayerRegistry = .standard, generator: SeededGenerator) {
        self.registry = registry
        self.generator = generator
    }

    /// A new layer for `spec`.
    public mutating func make(_ spec: LayerSpec) throws -> any Layer {
        try registry.maker(for: spec.kind)(spec, &self)
    }
}

/// A layer that can be saved in a sidecar and rebuilt from it: a registered `kind`, a Codable
/// `Configuration` and an initialiser from that configuration. Its `spec` comes for free.
///
/// ```swift
/// public final class Swish: ConfigurableLayer {
///     public struct Configuration: Codable, Sendable {}
///     public static let kind = "swish"
///     public var configuration: Configuration { Configuration() }
///     public init(configuration: Configuration, builder: inout LayerBuilder) throws {}
///     public var parameters: [Parameter] { [] }
///     public func forward(_ input: Tensor, training: Bool) throws -> Tensor { … }
///     public func backward(_ gradOutput: Tensor) throws -> Tensor { … }
/// }
/// ```
public protocol ConfigurableLayer: Layer {
    /// What the sidecar stores to rebuild the layer.
    associatedtype Configuration: Codable & Sendable
    /// The kind it is registered under (a JSON key in the sidecar).
    static var kind: String { get }
    /// This layer's configuration.
    var configuration: Configuration { get }
    /// A layer of `configuration`, initial weights drawn from `builder.generator`; throws
    /// `TripletError.invalidParameter` for a configuration it cannot take.
    init(configuration: Configuration, builder: inout LayerBuilder) throws
}

extension ConfigurableLayer {
    /// `kind` with the encoded configuration.
    public var spec: LayerSpec { LayerSpec(kind: Self.kind, encoding: configuration) }
}
