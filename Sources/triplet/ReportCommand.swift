import ArgumentParser
import Foundation
import TripletKit

/// `triplet report`: the visual report of a training run.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write RUN_DIR/report.html: training curves, embedding map, ROC, distances, neighbours.",
        discussion: """
            One self-contained HTML page (inline SVG and CSS, thumbnails as data: PNGs; no external resource):
            per-epoch loss, active-triplet fraction, P@1 and MAP@R from RUN_DIR/metrics.json; the test \
            embeddings of the run's model on their first two principal components, coloured by class; the ROC \
            of same-class against different-class pairs with its AUC and equal error rate; the histograms of \
            their distances; and query images with their nearest neighbours. `triplet train` writes it too.

            Example:
              triplet report runs/convnet --samples 2000
            """
    )

    @Argument(help: "The run folder written by `triplet train` (its --out).") var runDir: String
    @Option(help: "Test embeddings drawn in the map and paired for the ROC and histogram (at most 10000).")
    var samples = 2000
    @Option(help: "Query images in the neighbour grid (0: none).") var queries = 8
    @Option(help: "Neighbours shown per query.") var neighbors = 8
    @Option(help: "Seed of the subsample, the pairs and the queries.") var seed: UInt64 = 0
    @Option(help: "Threads.") var threads = 2
    @Option(help: "Folder of the dataset files (default: the Debian package's).") var dataDir: String?
    @Option(help: "Where to write the page (default: RUN_DIR/report.html).") var out: String?

    func run() throws {
        var options = ReportOptions()
        options.samples = samples
        options.queries = queries
        options.neighbors = neighbors
        options.seed = seed
        options.threads = threads
        options.dataDirectory = dataDir
        let written = try RunReport.write(
            runDirectory: URL(fileURLWithPath: runDir), options: options, to: out.map { URL(fileURLWithPath: $0) })
        print("wrote \(written.path)")
    }
}
