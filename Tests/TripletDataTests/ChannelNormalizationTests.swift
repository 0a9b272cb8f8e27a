import Foundation
import Testing

@testable import TripletCore
@testable import TripletData

@Suite("Channel normalisation")
struct ChannelNormalizationTests {
    /// Two 2-channel 1×3 images: channel 0 holds 1...6, channel 1 holds 10, 20, 30 twice.
    let images = try! Tensor(shape: [2, 2, 1, 3], scalars: [1, 2, 3, 10, 20, 30, 4, 5, 6, 10, 20, 30])

    @Test func estimatesEachChannelsMeanAndDeviation() throws {
        let norm = try ChannelNormalization.estimate(from: images)
        #expect(norm.channelCount == 2)
        #expect(norm.mean == [3.5, 20])
        // Population deviations: √(17.5 / 6) and √(400 / 6).
        #expect(abs(norm.std[0] - Float((17.5 / 6).squareRoot())) < 1e-6)
        #expect(abs(norm.std[1] - Float((400.0 / 6).squareRoot())) < 1e-5)
        let standardised = try norm.applied(to: images)
        let again = try ChannelNormalization.estimate(from: standardised)
        for c in 0..<2 {
            #expect(abs(again.mean[c]) < 1e-6 && abs(again.std[c] - 1) < 1e-6)
        }
        #expect(standardised[0, 0] == (1 - 3.5) / norm.std[0])
        var inPlace = images
        try norm.apply(to: &inPlace)
        #expect(inPlace == standardised)
    }

    @Test func featureMatricesAreOneChannel() throws {
        let features = try Tensor(shape: [2, 2], scalars: [0, 2, 4, 6])
        let norm = try ChannelNormalization.estimate(from: features)
        #expect(norm.mean == [3] && norm.std == [Float(5).squareRoot()])
        #expect(
            try norm.applied(to: features).scalars.map { ($0 * 1e5).rounded() / 1e5 } == [
                -1.34164, -0.44721, 0.44721, 1.34164,
            ])
    }

    @Test func matchesTheFashionMNISTStandardisation() throws {
        let fixed = try ChannelNormalization(mean: [0.2860], std: [0.3530])
        let raw = try Tensor(shape: [1, 1, 1, 3], scalars: [0, 0.5, 1])
        #expect(try fixed.applied(to: raw).scalars == [0, 0.5, 1].map { ($0 - 0.2860) / 0.3530 })
    }

    @Test func rejectsMismatchesAndConstantChannels() throws {
        let norm = try ChannelNormalization(mean: [0, 0, 0], std: [1, 1, 1])
        var images = self.images
        #expect(throws: TripletError.self) { try norm.apply(to: &images) }
        #expect(throws: TripletError.self) { try ChannelNormalization(mean: [0], std: [0]) }
        #expect(throws: TripletError.self) { try ChannelNormalization(mean: [0, 1], std: [1]) }
        #expect(throws: TripletError.self) { try ChannelNormalization(mean: [], std: []) }
        #expect(throws: TripletError.self) { try ChannelNormalization(mean: [.nan], std: [1]) }
        let constant = try Tensor(shape: [2, 2, 1, 1], scalars: [1, 5, 2, 5])
        do {
            _ = try ChannelNormalization.estimate(from: constant)
            Issue.record("a constant channel was accepted")
        } catch let error as TripletError {
            #expect(error.description.contains("channel 1 (constant at 5.0)"))
        }
        #expect(throws: TripletError.emptyBatch) {
            try ChannelNormalization.estimate(from: try Tensor(shape: [0, 3], scalars: []))
        }
        #expect(throws: TripletError.nonFiniteValue(what: "inputs", row: 1, column: 0)) {
            try ChannelNormalization.estimate(from: try Tensor(shape: [2, 1], scalars: [1, .infinity]))
        }
        #expect(throws: TripletError.self) {
            try ChannelNormalization.estimate(from: try Tensor(shape: [3], scalars: [1, 2, 3]))
        }
        // Statistics decoded from a damaged file are refused when applied.
        let damaged = try JSONDecoder().decode(
            ChannelNormalization.self, from: Data(#"{"mean":[0],"std":[0]}"#.utf8))
        var features = try Tensor(shape: [1, 1], scalars: [1])
        #expect(throws: TripletError.self) { try damaged.apply(to: &features) }
    }

    @Test func roundTripsThroughJSON() throws {
        let norm = try ChannelNormalization(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])
        let decoded = try JSONDecoder().decode(ChannelNormalization.self, from: JSONEncoder().encode(norm))
        #expect(decoded == norm)
    }
}
