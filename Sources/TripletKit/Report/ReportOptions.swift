import TripletCore

/// How much of the evaluation set the report draws, and with which seed.
public struct ReportOptions: Sendable, Equatable {
    /// Embeddings drawn in the 2-D map and used for the verification pairs (a seeded subsample; all its
    /// same-class pairs are used, so time and memory grow as its square).
    public var samples = 2000
    /// Query images in the nearest-neighbour grid (0: no grid).
    public var queries = 8
    /// Neighbours shown per query.
    public var neighbors = 8
    /// Seed of the subsample, the different-class pairs and the queries.
    public var seed: UInt64 = 0
    /// Threads for embedding and the neighbour search.
    public var threads = Parallel.defaultThreads
    /// Folder of the dataset files (nil: the dataset's default place).
    public var dataDirectory: String?

    /// The defaults: 2000 samples, 8 queries with 8 neighbours each, seed 0.
    public init() {}

    /// Throws `TripletError.invalidParameter` for options outside their ranges.
    public func validate() throws {
        func check(_ ok: Bool, _ name: String, _ value: Int, _ expected: String) throws {
            if !ok { throw TripletError.invalidParameter(name: name, value: "\(value)", expected: expected) }
        }
        try check(
            (2...10_000).contains(samples), "--samples", samples, "2...10000 (the same-class pairs grow as its square)")
        try check((0...100).contains(queries), "--queries", queries, "0...100")
        try check((1...32).contains(neighbors), "--neighbors", neighbors, "1...32")
        try check(threads >= 1, "--threads", threads, "at least 1")
    }
}
