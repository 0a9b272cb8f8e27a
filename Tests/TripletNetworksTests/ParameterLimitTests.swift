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
}
