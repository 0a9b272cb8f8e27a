import Foundation
import Testing
import TripletKit

@testable import TripletServe

@Suite("triplet serve: graceful shutdown")
struct ServeShutdownTests {
    @Test("a request in flight when shutdown starts is answered before the server returns")
    func inFlightRequestFinishes() async throws {
        let server = try makeServer(limits: ServeLimits(maximumQueued: 4))
        let running = try await RunningServer.start(server)
        // Both workers busy until the gate opens, so the request below waits in the pool.
        let gate = DispatchSemaphore(value: 0)
        let blockers = (0..<2).map { _ in Task { try await server.pool.run { _ in gate.wait() } } }
        while server.pool.busy < 2 { try await Task.sleep(for: .milliseconds(5)) }
        let body = try JSONSerialization.data(withJSONObject: ["samples": [pattern(2)]])
        let request = Task { try await running.call("POST", "/v1/embed", body: body, type: "application/json") }
        while server.pool.queued < 1 { try await Task.sleep(for: .milliseconds(5)) }
        await running.group.triggerGracefulShutdown()
        try await Task.sleep(for: .milliseconds(50))
        gate.signal()
        gate.signal()
        let answer = try await request.value
        let json = try JSONSerialization.jsonObject(with: answer.body) as? [String: Any]
        #expect(answer.status == 200 && (json?["embeddings"] as? [[Double]])?.count == 1)
        for blocker in blockers { try await blocker.value }
        try await running.task.value
    }
}
