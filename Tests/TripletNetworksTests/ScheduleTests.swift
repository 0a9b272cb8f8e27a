import Foundation
import Testing
import TripletCore

@testable import TripletNetworks

@Suite("Learning-rate schedules")
struct ScheduleTests {
    @Test func constantAndStep() {
        #expect(LearningRateSchedule.constant.rate(at: 1000, base: 0.1) == 0.1)
        let step = LearningRateSchedule.step(stepSize: 3, gamma: 0.5)
        #expect((0..<7).map { step.rate(at: $0, base: 1) } == [1, 1, 1, 0.5, 0.5, 0.5, 0.25])
    }

    @Test func cosine() {
        let cosine = LearningRateSchedule.cosine(maxSteps: 10, minimum: 0.1)
        #expect(cosine.rate(at: 0, base: 1) == 1)
        #expect(abs(cosine.rate(at: 5, base: 1) - 0.55) < 1e-6)
        // η_min + (1 − η_min)(1 + cos(π·3/10)) / 2
        #expect(abs(cosine.rate(at: 3, base: 1) - Float(0.1 + 0.9 * (1 + cos(Double.pi * 0.3)) / 2)) < 1e-6)
        #expect(abs(cosine.rate(at: 10, base: 1) - 0.1) < 1e-7)
        #expect(abs(cosine.rate(at: 25, base: 1) - 0.1) < 1e-7, "stays at the minimum after T_max")
    }

    @Test func warmupThenInner() {
        let schedule = LearningRateSchedule.warmup(steps: 4, startFactor: 0.2, then: .step(stepSize: 2, gamma: 0.1))
        let rates = (0..<8).map { schedule.rate(at: $0, base: 1) }
        let expected: [Float] = [0.2, 0.4, 0.6, 0.8, 1, 1, 0.1, 0.1]
        for (r, e) in zip(rates, expected) { #expect(abs(r - e) < 1e-6) }
        #expect(schedule.rate(at: -5, base: 1) == 0.2)
    }

    @Test func codableAndValidation() throws {
        let schedule = LearningRateSchedule.warmup(steps: 10, startFactor: 0, then: .cosine(maxSteps: 100, minimum: 0))
        let data = try JSONEncoder().encode(schedule)
        #expect(try JSONDecoder().decode(LearningRateSchedule.self, from: data) == schedule)
        try schedule.validate()
        for bad in [
            LearningRateSchedule.step(stepSize: 0, gamma: 0.5), .step(stepSize: 1, gamma: -1),
            .cosine(maxSteps: 0, minimum: 0), .cosine(maxSteps: 5, minimum: .nan),
            .warmup(steps: -1, startFactor: 0, then: .constant), .warmup(steps: 2, startFactor: 2, then: .constant),
            .warmup(steps: 2, startFactor: 0, then: .step(stepSize: 0, gamma: 1)),
        ] {
            #expect(throws: TripletError.self) { try bad.validate() }
        }
    }
}
