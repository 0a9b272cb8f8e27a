import Foundation
import Testing
import TripletKit

@testable import TripletServe

@Suite("EmbeddingPool")
struct EmbeddingPoolTests {
    @Test("at most `workers` jobs run, `maximumQueued` wait, and one more is refused with 503")
    func bounded() async throws {
        let model = try TrainedModel(directory: try makeModel(), threads: 1)
        let pool = EmbeddingPool(models: [model], maximumQueued: 1)
        let gate = DispatchSemaphore(value: 0)
        let started = DispatchSemaphore(value: 0)
        let first = Task {
            try await pool.run { _ in
                started.signal(); gate.wait(); return 1
            }
        }
        await Task.detached { started.wait() }.value  // the only worker is busy
        let second = Task { try await pool.run { _ in 2 } }
        while pool.queued < 1 { try await Task.sleep(for: .milliseconds(5)) }
        await #expect(throws: ServeError.self) { try await pool.run { _ in 3 } }
        gate.signal()
        #expect(try await first.value == 1)
        #expect(try await second.value == 2)
        #expect(pool.queued == 0)
        #expect(try await pool.run { _ in 4 } == 4)
    }
}
