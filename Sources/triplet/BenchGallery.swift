import ArgumentParser
import Foundation
import TripletGallery
import TripletKit

/// `triplet bench gallery`: build, open and identify times of a gallery of random embeddings.
struct BenchGallery: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gallery",
        abstract: "Time building, opening and identifying in a gallery of random unit embeddings.",
        discussion: """
            Builds a temporary gallery (deleted afterwards), reopens it, then times single-query identify
            (median over --single queries) and batched identify (--batch queries per call, --threads).

            Example:
              triplet bench gallery --embeddings 100000 --dim 64 --identities 10000 \\
                --queries 10000 --threads 2
            """
    )

    @Option(help: "Stored embeddings in all.") var embeddings = 100_000
    @Option(help: "Dimension.") var dim = 64
    @Option(help: "Identities (the embeddings are spread evenly over them).") var identities = 10_000
    @Option(help: "Queries for the batched throughput.") var queries = 10_000
    @Option(help: "Queries per batched identify call.") var batch = 1_000
    @Option(help: "Single queries timed (the median is reported).") var single = 200
    @Option(name: .short, help: "Identities per answer.") var k = 5
    @Option(help: "Threads for identify.") var threads = 2
    @Option(help: "Seed of the random data.") var seed: UInt64 = 0
    @Flag(help: "Print one JSON line instead of text.") var json = false

    func validate() throws {
        guard embeddings > 0, dim > 0, identities > 0, identities <= embeddings, queries > 0, batch > 0,
            single > 0, k >= 1, threads > 0
        else {
            throw ValidationError("sizes, -k and --threads must be positive, --identities at most --embeddings")
        }
        try BenchSize.check("--embeddings × --dim", rows: embeddings, width: dim)
        try BenchSize.check("--queries × --dim", rows: queries, width: dim)
    }

    func run() throws {
        var generator = SeededGenerator(seed: seed)
        let unit = { (n: Int) -> [Float] in
            var rows = (0..<n * dim).map { _ in generator.nextNormal() }
            for r in 0..<n {
                let norm = max((0..<dim).reduce(Float(0)) { $0 + rows[r * dim + $1] * rows[r * dim + $1] }, 1e-12)
                    .squareRoot()
                for c in 0..<dim { rows[r * dim + c] /= norm }
            }
            return rows
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bench-gallery-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("g.sqlite")

        let stored = unit(embeddings)
        var clock = DispatchTime.now().uptimeNanoseconds
        let elapsed = { () -> Double in
            let now = DispatchTime.now().uptimeNanoseconds
            defer { clock = now }
            return Double(now - clock) / 1e9
        }
        do {
            let gallery = try Gallery(path: path, fingerprint: "bench", dimension: dim)
            var start = 0
            for i in 0..<identities {
                let end = (i + 1) * embeddings / identities
                let rows = try Tensor(shape: [end - start, dim], scalars: Array(stored[start * dim..<end * dim]))
                try gallery.enroll(name: "id\(i)", embeddings: rows)
                start = end
            }
        }
        let build = elapsed()
        let gallery = try Gallery(path: path, fingerprint: "bench", dimension: dim)
        let open = elapsed()

        let probes = unit(max(single, queries))
        _ = try gallery.identify(Array(probes[0..<dim]), k: k)  // warm-up
        var times: [Double] = []
        for q in 0..<single {
            let start = DispatchTime.now().uptimeNanoseconds
            let probe = try Tensor(shape: [1, dim], scalars: Array(probes[q * dim..<(q + 1) * dim]))
            _ = try gallery.identify(probe, k: k, threads: threads)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        let singleMedian = times.sorted()[times.count / 2]

        _ = elapsed()
        for first in stride(from: 0, to: queries, by: batch) {
            let n = min(batch, queries - first)
            let block = try Tensor(shape: [n, dim], scalars: Array(probes[first * dim..<(first + n) * dim]))
            _ = try gallery.identify(block, k: k, threads: threads)
        }
        let throughput = Double(queries) / elapsed()

        if json {
            print(
                "{\"embeddings\":\(embeddings),\"dim\":\(dim),\"identities\":\(identities),\"k\":\(k),"
                    + "\"threads\":\(threads),\"build_s\":\(build),\"open_s\":\(open),"
                    + "\"single_median_ms\":\(singleMedian),\"batch\":\(batch),\"batch_qps\":\(throughput)}")
        } else {
            print(
                String(
                    format: "%d embeddings (D=%d) in %d identities: build %.2f s, open %.3f s", embeddings, dim,
                    identities, build, open))
            print(String(format: "identify k=%d: single query median %.3f ms, %d threads", k, singleMedian, threads))
            print(
                String(
                    format: "identify k=%d: batches of %d, %d threads: %.0f queries/s", k, batch, threads,
                    throughput))
        }
    }
}
