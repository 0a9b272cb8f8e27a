import Testing
import TripletCore
import TripletNetworks

/// Layer sizes read from a damaged or hostile model.json: a parameter tensor over
/// `Initializers.maximumParameterCount` elements is a clear error, not an allocation that aborts.
@Suite("Parameter size limit")
struct ParameterLimitTests {
    @Test func oversizedLayersThrowBeforeAllocating() throws {
        var g = SeededGenerator(seed: 0)
        let huge = 1 << 40
        #expect(throws: TripletError.self) { _ = try Dense(inputs: 4, outputs: huge, generator: &g) }
        #expect(throws: TripletError.self) { _ = try Dense(inputs: huge, outputs: huge, generator: &g) }
        #expect(throws: TripletError.self) {
            _ = try Conv2D(inChannels: huge, outChannels: huge, kernel: huge, generator: &g)
        }
        #expect(throws: TripletError.self) { _ = try Embedding(count: 10, dimension: huge, generator: &g) }
        #expect(throws: TripletError.self) { _ = try BatchNorm(features: huge, spatial: false) }
        #expect(throws: TripletError.self) { _ = try LayerNorm(normalizedShape: [huge, huge]) }
        let limit = Initializers.maximumParameterCount
        #expect(throws: Never.self) { try Initializers.checkParameterShape([limit]) }
        #expect(throws: TripletError.self) { try Initializers.checkParameterShape([limit + 1]) }
    }

    /// A bound budget counts every tensor a layer allocates (weights, biases, norms' buffers) and stops the
    /// layer that would exceed it before it allocates.
    @Test func aBoundBudgetStopsTheLayerThatWouldExceedIt() throws {
        var g = SeededGenerator(seed: 0)
        let exact = ParameterBudget(elements: 32 + 8 + 2 * 8 + 4 * 8, source: "test")
        try Initializers.$budget.withValue(exact) {
            _ = try Dense(inputs: 4, outputs: 8, generator: &g)
            _ = try LayerNorm(normalizedShape: [8])
            _ = try BatchNorm(features: 8, spatial: false)
        }
        #expect(exact.remaining == 0)
        let short = ParameterBudget(elements: 39, source: "a 39-byte file")
        do {
            try Initializers.$budget.withValue(short) { _ = try Dense(inputs: 4, outputs: 8, generator: &g) }
            Issue.record("40 parameters fit a budget of 39")
        } catch let error as TripletError {
            #expect("\(error)".contains("a 39-byte file"), "\(error)")
        }
        // Unbound, nothing is counted.
        _ = try Dense(inputs: 4, outputs: 8, generator: &g)
    }
}
