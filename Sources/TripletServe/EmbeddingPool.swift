import Dispatch
import Foundation
import TripletKit

/// A bounded pool of embedding workers: each worker owns its own copy of the model (a `Sequential` caches
/// activations, so one copy serves one call at a time) and runs on a GCD thread, never on Swift
/// concurrency's cooperative threads. At most `workers` jobs run at once; at most `maximumQueued` wait;
/// beyond that `run` throws 503 at once instead of queueing without bound.
final class EmbeddingPool: @unchecked Sendable {
    /// A model copy handed from job to job; only the job that holds it touches it.
    final class Worker: @unchecked Sendable {
        let model: TrainedModel
        init(_ model: TrainedModel) { self.model = model }
    }

    let workers: Int
    let maximumQueued: Int
    private let lock = NSLock()
    private var idle: [Worker]
    private var waiting: [CheckedContinuation<Worker, any Error>] = []
    private var waitingHead = 0
    private let queue = DispatchQueue(label: "tripletkit.serve.embed", attributes: .concurrent)
    private let writes = DispatchQueue(label: "tripletkit.serve.writes")

    /// A pool of the given model copies (one per worker).
    init(models: [TrainedModel], maximumQueued: Int) {
        precondition(!models.isEmpty, "a pool needs at least one worker")
        idle = models.map(Worker.init)
        workers = models.count
        self.maximumQueued = maximumQueued
    }

    /// How many workers run a job now.
    var busy: Int { lock.withLock { workers - idle.count } }

    /// How many jobs wait for a worker now.
    var queued: Int { lock.withLock { waiting.count - waitingHead } }

    /// Runs `job` with a model copy on a worker thread once one is free.
    func run<T: Sendable>(_ job: @escaping @Sendable (TrainedModel) throws -> T) async throws -> T {
        let worker = try await acquire()
        defer { release(worker) }
        return try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try job(worker.model) }) }
        }
    }

    /// Runs a gallery write on the one writer thread, without holding a model copy: the gallery takes one
    /// writer at a time anyway, so the others wait as suspended tasks, not as blocked threads.
    func write<T: Sendable>(_ job: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            writes.async { continuation.resume(with: Result { try job() }) }
        }
    }

    /// A free worker now, or the next one released; throws 503 when `maximumQueued` jobs already wait.
    private func acquire() async throws -> Worker {
        try await withCheckedThrowingContinuation { continuation in
            let outcome = lock.withLock { () -> Result<Worker, ServeError>? in
                if let worker = idle.popLast() { return .success(worker) }
                guard waiting.count - waitingHead < maximumQueued else {
                    return .failure(
                        ServeError(
                            status: 503, code: "busy",
                            message: "\(maximumQueued) embedding jobs are already waiting: retry in a moment"))
                }
                waiting.append(continuation)
                return nil
            }
            if let outcome { continuation.resume(with: outcome) }
        }
    }

    private func release(_ worker: Worker) {
        let next = lock.withLock { () -> CheckedContinuation<Worker, any Error>? in
            guard waitingHead < waiting.count else {
                idle.append(worker)
                return nil
            }
            let next = waiting[waitingHead]
            waitingHead += 1
            if waitingHead == waiting.count {
                waiting.removeAll(keepingCapacity: true)
                waitingHead = 0
            }
            return next
        }
        next?.resume(returning: worker)
    }
}
