import ArgumentParser
import Foundation
import TripletCore
import TripletLosses

/// `triplet bench losses`: the median forward+backward time of one loss configuration, and peak memory.
struct BenchLosses: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "losses",
        abstract: "Time one loss (forward + backward) on random embeddings.",
        discussion: """
            Embeddings are standard normal (seeded); labels are i mod C, shuffled. Triplet losses use margin 0.2 \
            and the normalised Euclidean distance, as Benchmarks/reference/pml_losses.py does with PML. \
            The ladder loss puts class c in coarse group c mod 3 (margins 0.2, 0.1; weights 1, 1); the \
            triplet network scores --miner's triplets on raw embeddings. \
            The median of --repeats timed calls (after one warm-up) is reported, with the peak resident memory.

            Example:
              triplet bench losses --batch-size 1024 --classes 10 --miner semihard \\
                --threads 2 --json
            """
    )

    enum Miner: String, ExpressibleByArgument, CaseIterable {
        case all, hard, semihard, easy, batchHard = "batch-hard"
    }

    enum Loss: String, ExpressibleByArgument, CaseIterable {
        case tripletMargin = "triplet-margin", contrastive, ntxent, ladder
        case tripletNetwork = "triplet-network"
    }

    @Option(help: "Samples per batch.") var batchSize = 1024
    @Option(help: "Embedding dimension.") var dim = 128
    @Option(help: "Number of classes (labels are i mod C).") var classes = 10
    @Option(help: "Triplet miner (triplet-margin and triplet-network losses only).") var miner = Miner
        .semihard
    @Option(help: "Loss.") var loss = Loss.tripletMargin
    @Option(help: "Threads for the loss (BLAS blocks and row-parallel loops).") var threads = 2
    @Option(help: "Timed repetitions (the median is reported).") var repeats = 5
    @Option(help: "Seed of the embeddings and labels.") var seed: UInt64 = 0
    @Option(
        help:
            "Cross-batch memory of M rows (triplet-margin, contrastive, ntxent), filled with random batches before timing; each timed call enqueues its batch."
    )
    var memorySize: Int?
    @Flag(help: "Print one JSON line instead of text.") var json = false

    func validate() throws {
        guard batchSize > 0, dim > 0, classes > 0, threads > 0, repeats > 0 else {
            throw ValidationError("--batch-size, --dim, --classes, --threads and --repeats must be at least 1")
        }
        if let memorySize {
            guard memorySize >= batchSize, [.tripletMargin, .contrastive, .ntxent].contains(loss) else {
                throw ValidationError(
                    "--memory-size must be at least --batch-size, with --loss triplet-margin, contrastive or ntxent")
            }
            try BenchSize.check("the memory --batch-size × --memory-size", rows: batchSize, width: memorySize)
            try BenchSize.check("the memory --memory-size × --dim", rows: memorySize, width: dim)
        }
        try BenchSize.check("--batch-size × --dim", rows: batchSize, width: dim)
        try BenchSize.check("the distance matrix --batch-size × --batch-size", rows: batchSize, width: batchSize)
    }

    func run() throws {
        var generator = SeededGenerator(seed: seed)
        let embeddings = try Tensor(
            shape: [batchSize, dim], scalars: (0..<batchSize * dim).map { _ in generator.nextNormal() })
        var labels = (0..<batchSize).map { $0 % classes }
        labels.shuffle(using: &generator)
        let lossFunction = try makeLoss()
        if let memorySize {
            // Fill the ring with other random batches (of the same label distribution) first.
            for _ in 0..<(memorySize + batchSize - 1) / batchSize {
                let fill = try Tensor(
                    shape: [batchSize, dim], scalars: (0..<batchSize * dim).map { _ in generator.nextNormal() })
                _ = try lossFunction(fill, labels: labels)
            }
        }

        var output = try lossFunction(embeddings, labels: labels)  // warm-up
        var times: [Double] = []
        for _ in 0..<repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            output = try lossFunction(embeddings, labels: labels)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        let median = times.sorted()[times.count / 2]
        // Only the triplet losses take a miner.
        let minerName = loss == .tripletMargin || loss == .tripletNetwork ? miner.rawValue : "none"
        let peak = peakResidentMiB()
        if json {
            let fields: [String] = [
                "\"impl\":\"tripletkit\"", "\"batch_size\":\(batchSize)", "\"dim\":\(dim)", "\"classes\":\(classes)",
                "\"miner\":\"\(minerName)\"", "\"loss\":\"\(loss.rawValue)\"", "\"threads\":\(threads)",
                "\"repeats\":\(repeats)", "\"memory_size\":\(memorySize ?? 0)", "\"median_ms\":\(median)",
                "\"peak_rss_mib\":\(peak)",
                "\"loss_value\":\(output.value)", "\"triplets\":\(output.stats.candidateCount)",
            ]
            print("{" + fields.joined(separator: ",") + "}")
        } else {
            print(
                String(
                    format:
                        "B=%d D=%d C=%d %@/%@ threads=%d: median %.2f ms, peak RSS %.0f MiB, loss %.6f, %ld candidates (%.1f%% active)",
                    batchSize, dim, classes, loss.rawValue, minerName, threads, median, peak, output.value,
                    output.stats.candidateCount, 100 * output.stats.activeFraction))
        }
    }

    private func makeLoss() throws -> any EmbeddingLoss {
        if let memorySize {
            let inner: any CrossBatchLoss
            switch loss {
            case .contrastive: inner = ContrastiveLoss(threads: threads)
            case .ntxent: inner = NTXentLoss(threads: threads)
            default: inner = TripletMarginLoss(margin: 0.2, threads: threads)
            }
            return try CrossBatchMemory(
                loss: inner, miner: loss == .tripletMargin ? crossBatchMiner : nil, memorySize: memorySize,
                threads: threads)
        }
        switch loss {
        case .contrastive: return ContrastiveLoss(threads: threads)
        case .ntxent: return NTXentLoss(threads: threads)
        case .ladder:
            let groups = Dictionary(uniqueKeysWithValues: (0..<classes).map { ($0, $0 % 3) })
            return try LadderLoss(margins: [0.2, 0.1], weights: [1, 1], coarseGroups: groups, threads: threads)
        case .tripletMargin, .tripletNetwork:
            let chosen = crossBatchMiner
            return loss == .tripletNetwork
                ? TripletNetworkLoss(miner: chosen, threads: threads)
                : TripletMarginLoss(margin: 0.2, miner: chosen, threads: threads)
        }
    }

    /// --miner with margin 0.2.
    private var crossBatchMiner: any TripletMiner & CrossBatchMiner {
        switch miner {
        case .batchHard: return BatchHardMiner()
        case .all: return TripletMarginMiner(margin: 0.2, type: .all)
        case .hard: return TripletMarginMiner(margin: 0.2, type: .hard)
        case .semihard: return TripletMarginMiner(margin: 0.2, type: .semihard)
        case .easy: return TripletMarginMiner(margin: 0.2, type: .easy)
        }
    }

    #if canImport(Darwin)
        private var RUSAGE_SELF_WHO: Int32 { RUSAGE_SELF }
    #else
        private var RUSAGE_SELF_WHO: Int32 { RUSAGE_SELF.rawValue }
    #endif

    /// The process's peak resident set size, in MiB.
    private func peakResidentMiB() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF_WHO, &usage)
        #if canImport(Darwin)
            return Double(usage.ru_maxrss) / 1_048_576
        #else
            return Double(usage.ru_maxrss) / 1024
        #endif
    }
}
