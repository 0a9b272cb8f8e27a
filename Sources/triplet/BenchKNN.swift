import ArgumentParser
import Foundation
import TripletKit

/// `triplet bench knn`: exact k-NN search time against a reference set.
struct BenchKNN: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "knn",
        abstract: "Time exact k-nearest-neighbour search (Euclidean) of random queries against random references.",
        discussion: """
            Benchmarks/reference/faiss_knn.py times faiss-cpu's IndexFlatL2 on the same sizes.

            Example:
              triplet bench knn --queries 10000 --references 60000 --dim 64 -k 10 \\
                --threads 2 --json
            """
    )

    @Option(help: "Number of queries.") var queries = 10_000
    @Option(help: "Number of references.") var references = 60_000
    @Option(help: "Dimension.") var dim = 64
    @Option(name: .short, help: "Neighbours per query.") var k = 10
    @Option(help: "Threads.") var threads = 2
    @Option(help: "Timed repetitions (the median is reported).") var repeats = 3
    @Option(help: "Seed of the random data.") var seed: UInt64 = 0
    @Flag(help: "Print one JSON line instead of text.") var json = false

    func validate() throws {
        guard queries > 0, references > 0, dim > 0, k >= 1, k <= references, threads > 0, repeats > 0 else {
            throw ValidationError("sizes, -k (1...references), --threads and --repeats must be positive")
        }
        try BenchSize.check("--queries × --dim", rows: queries, width: dim)
        try BenchSize.check("--references × --dim", rows: references, width: dim)
        try BenchSize.check("--queries × -k", rows: queries, width: k)
    }

    func run() throws {
        var generator = SeededGenerator(seed: seed)
        let q = try Tensor(shape: [queries, dim], scalars: (0..<queries * dim).map { _ in generator.nextNormal() })
        let r = try Tensor(
            shape: [references, dim], scalars: (0..<references * dim).map { _ in generator.nextNormal() })
        _ = try ExactKNN.search(queries: q, references: r, k: k, threads: threads)  // warm-up
        var times: [Double] = []
        for _ in 0..<repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            _ = try ExactKNN.search(queries: q, references: r, k: k, threads: threads)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        let median = times.sorted()[times.count / 2]
        if json {
            print(
                "{\"impl\":\"tripletkit\",\"queries\":\(queries),\"references\":\(references),\"dim\":\(dim),"
                    + "\"k\":\(k),\"threads\":\(threads),\"median_ms\":\(median)}")
        } else {
            print(
                String(
                    format: "%d queries × %d references, D=%d, k=%d, %d threads: median %.1f ms", queries, references,
                    dim, k, threads, median))
        }
    }
}
