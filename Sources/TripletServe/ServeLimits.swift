import TripletCore

/// What one request may ask of the server; anything over a limit is refused with a 4xx JSON error before
/// the work it would cost is done.
public struct ServeLimits: Sendable, Equatable {
    /// The largest request body in bytes (413 above it, told by Content-Length or while reading).
    public var maximumBodyBytes: Int
    /// The most pixels one uploaded image may announce in its header (413 above it, before decoding).
    public var maximumPixels: Int
    /// The most images, samples or embeddings in one request (413 above it).
    public var maximumBatch: Int
    /// The largest k of search and identify (400 above it).
    public var maximumK: Int
    /// The most embedding jobs that may wait for a worker (503 with Retry-After above it).
    public var maximumQueued: Int

    /// Limits for a server on a small machine: 8 MiB bodies, 16 Mpx images, 64 items, k ≤ 100, 256 queued.
    public init(
        maximumBodyBytes: Int = 8 << 20, maximumPixels: Int = 1 << 24, maximumBatch: Int = 64,
        maximumK: Int = 100, maximumQueued: Int = 256
    ) {
        self.maximumBodyBytes = maximumBodyBytes
        self.maximumPixels = maximumPixels
        self.maximumBatch = maximumBatch
        self.maximumK = maximumK
        self.maximumQueued = maximumQueued
    }

    /// Throws `TripletError.invalidParameter` naming the first limit below 1.
    public func validate() throws {
        let named = [
            ("maximumBodyBytes", maximumBodyBytes), ("maximumPixels", maximumPixels),
            ("maximumBatch", maximumBatch), ("maximumK", maximumK), ("maximumQueued", maximumQueued),
        ]
        if let (name, value) = named.first(where: { $0.1 < 1 }) {
            throw TripletError.invalidParameter(name: name, value: "\(value)", expected: ">= 1")
        }
    }
}
