import ArgumentParser
import Foundation
import TripletKit
import TripletServe

/// `triplet serve`: the model, an index and a gallery behind an HTTP JSON API and a web page.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve embed, search, identify, verify and enroll over HTTP (JSON under /v1), with a web page at /.",
        discussion: """
            Writes (enroll, remove, calibrate) need the bearer token of --token-file or $TRIPLET_SERVE_TOKEN and \
            are refused when neither is given; reads are open unless --read-token-file or \
            $TRIPLET_SERVE_READ_TOKEN sets a read token. A data source (--dataset, --data, …) with --split names \
            the index's labels and serves its images beside search results: give the one the index was built \
            from. SIGTERM or SIGINT stops the server after the requests in flight.

            Examples:
              triplet serve --model runs/convnet --index train.tkindex \\
                --dataset fashion-mnist --split train
              triplet serve --model runs/gallery-model --gallery people.sqlite \\
                --token-file token.txt --host 0.0.0.0 --port 8080
            """
    )

    @Option(help: "The model folder written by `triplet train`.") var model: String
    @Option(help: "An index file (triplet index build) for /v1/search.") var index: String?
    @Option(help: "A gallery file (SQLite, created when missing) for identify, verify and enroll.") var gallery: String?
    @OptionGroup var source: DataOptions
    @Option(help: "The split of the data source the index was built from: train or test.") var split = "train"
    @Option(help: "The address to listen on.") var host = "127.0.0.1"
    @Option(help: "The port to listen on (0: any free port).") var port = 8080
    @Option(help: "Embedding workers (model copies) running at once.") var workers = 2
    @Option(help: "A file whose first line is the write token (else $TRIPLET_SERVE_TOKEN; neither: writes refused).")
    var tokenFile: String?
    @Option(help: "A file whose first line is the read token (else $TRIPLET_SERVE_READ_TOKEN; neither: reads open).")
    var readTokenFile: String?
    @Option(help: "The largest request body in bytes.") var maxBodyBytes = ServeLimits().maximumBodyBytes
    @Option(help: "The most pixels an uploaded image may have.") var maxPixels = ServeLimits().maximumPixels
    @Option(help: "The most samples in one request.") var maxBatch = ServeLimits().maximumBatch
    @Option(help: "The largest k of search and identify.") var maxK = ServeLimits().maximumK
    @Option(help: "Seconds an idle connection stays open.") var idleTimeout = 60
    @Option(help: "The most embedding jobs waiting for a worker before 503.") var maxQueued = ServeLimits()
        .maximumQueued

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let writeToken =
            try tokenFile.map { try AccessControl.token(contentsOf: URL(fileURLWithPath: $0)) }
            ?? environment["TRIPLET_SERVE_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        let readToken =
            try readTokenFile.map { try AccessControl.token(contentsOf: URL(fileURLWithPath: $0)) }
            ?? environment["TRIPLET_SERVE_READ_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        let limits = ServeLimits(
            maximumBodyBytes: maxBodyBytes, maximumPixels: maxPixels, maximumBatch: maxBatch, maximumK: maxK,
            maximumQueued: maxQueued)
        let configuration = ServeConfiguration(
            host: host, port: port, workers: workers, limits: limits,
            access: try AccessControl(writeToken: writeToken, readToken: readToken), idleTimeout: idleTimeout)
        let modelURL = URL(fileURLWithPath: model)
        let trained = try TrainedModel(directory: modelURL, threads: 1)
        let reference = try index.map { try EmbeddingIndex(contentsOf: URL(fileURLWithPath: $0)) }
        var classNames: [String] = []
        var images: ReferenceImages? = nil
        let given = [source.data, source.features, source.csv, source.dataset].contains { $0 != nil }
        if given, reference != nil {
            guard let which = DataSplit(rawValue: split) else {
                throw ValidationError("--split \(split): expected train or test")
            }
            let loaded = try source.source(model: trained).load(split: which, threads: max(workers, 1))
            classNames = loaded.classNames
            if (try? trained.imageInput()) != nil {
                images = try ReferenceImages(images: loaded.dataset.inputs, files: loaded.files)
            }
        } else {
            classNames = try (trained.config?.data ?? source.source(model: trained)).classNamesWithoutLoading()
        }
        let server = try TripletServer(
            model: modelURL, index: reference, classNames: classNames, references: images,
            gallery: gallery.map { URL(fileURLWithPath: $0) }, configuration: configuration)
        let access = configuration.access
        try await server.run { port in
            let line =
                "triplet serve: http://\(host):\(port)/ (writes \(access.writesEnabled ? "need the token" : "refused"), "
                + "reads \(access.readsNeedToken ? "need a token" : "open"))\n"
            FileHandle.standardOutput.write(Data(line.utf8))  // unbuffered: a script waits for this line
        }
        print("triplet serve: stopped")
    }
}
