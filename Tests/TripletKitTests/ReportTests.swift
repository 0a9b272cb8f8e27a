import Foundation
import Testing

@testable import TripletKit

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The run report: every section of a tiny trained run, well-formed self-contained markup, the PCA, ROC and
/// PNG pieces on known data, and clear errors for bad run folders.
@Suite("Run report")
struct ReportTests {
    /// 16 images of 1×8×8 per class, 4 classes: a bright 4×4 quadrant per class plus seeded noise.
    static func syntheticImages(seed: UInt64, perClass: Int = 16) throws -> Dataset {
        var generator = SeededGenerator(seed: seed)
        var scalars: [Float] = [], labels: [Int] = []
        for i in 0..<4 * perClass {
            let label = i % 4
            for y in 0..<8 {
                for x in 0..<8 {
                    let inQuadrant = (y / 4) * 2 + x / 4 == label
                    scalars.append((inQuadrant ? 1 : 0) + 0.3 * generator.nextNormal())
                }
            }
            labels.append(label)
        }
        return try Dataset(inputs: Tensor(shape: [4 * perClass, 1, 8, 8], scalars: scalars), labels: labels)
    }

    /// A run folder written by `Trainer` (an MLP on the synthetic images, 2 epochs).
    static func trainedRun(_ name: String) throws -> (folder: URL, evaluation: Dataset) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "tripletkit-report-\(name)-\(getpid())")
        try? FileManager.default.removeItem(at: folder)
        var config = TrainingConfig()
        config.model = .mlp
        config.options.epochs = 2
        config.options.batchSize = 32
        config.options.samplesPerClass = 8
        config.options.threads = 1
        let evaluation = try syntheticImages(seed: 2)
        let data = TrainingData(train: try syntheticImages(seed: 1), evaluation: evaluation, classNames: [])
        try TrainingRun.train(config, data: data, directory: folder, progress: false)
        return (folder, evaluation)
    }

    static var smallOptions: ReportOptions {
        var options = ReportOptions()
        options.samples = 48
        options.queries = 4
        options.neighbors = 5
        options.threads = 1
        return options
    }

    /// Parses `html` as XML; returns the parser's error, nil when it is well formed.
    static func xmlError(_ html: String) -> String? {
        let parser = XMLParser(data: Data(html.utf8))
        return parser.parse() ? nil : "\(parser.parserError.map { "\($0)" } ?? "unknown") at line \(parser.lineNumber)"
    }

    static func occurrences(of needle: String, in text: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }

    @Test func reportOfATrainedRunHasEverySectionAndNoExternalResource() throws {
        let (folder, evaluation) = try Self.trainedRun("sections")
        defer { try? FileManager.default.removeItem(at: folder) }
        let written = try RunReport.write(
            runDirectory: folder, options: Self.smallOptions, evaluation: evaluation,
            classNames: ["north-west", "north-east", "south-west", "south-east"])
        #expect(written == folder.appendingPathComponent("report.html"))
        let html = try String(contentsOf: written, encoding: .utf8)
        for section in ReportSection.allCases {
            #expect(html.contains(#"<section id="\#(section.rawValue)""#), "section \(section.rawValue) is missing")
            #expect(html.contains(#"id="\#(section.chartID)""#), "chart \(section.chartID) is missing")
        }
        // One chart per section, the training curves as four panels.
        #expect(Self.occurrences(of: "<svg", in: html) == ReportSection.allCases.count + 3)
        #expect(Self.occurrences(of: "</svg>", in: html) == ReportSection.allCases.count + 3)
        #expect(Self.xmlError(html) == nil, "not well-formed: \(Self.xmlError(html) ?? "")")
        for external in ["http://", "https://", "//cdn", "src=", "url(", "@import"] {
            #expect(!html.contains(external), "the page refers to \(external)")
        }
        let hrefs = html.components(separatedBy: #"href=""#).dropFirst()
        #expect(hrefs.count == 4 * 6, "one thumbnail per query and neighbour")
        #expect(hrefs.allSatisfy { $0.hasPrefix("data:image/png;base64,") })
        #expect(html.contains("north-west") && html.contains("south-east"), "the legend names the classes")
        #expect(html.contains("AUC ") && html.contains("EER "))
        #expect(Self.occurrences(of: "<title>epoch 2:", in: html) == 4, "a point per curve for the last epoch")
    }

    @Test func reportFromSyntheticEmbeddingsWithoutImages() throws {
        var generator = SeededGenerator(seed: 3)
        let labels = (0..<300).map { $0 % 3 }
        let scalars = labels.flatMap { label in (0..<16).map { Float($0 == label ? 3 : 0) + generator.nextNormal() } }
        let history = [
            EpochMetrics(
                epoch: 1, loss: 0.3, activeFraction: 0.5, precisionAtOne: nil, mapAtR: nil, seconds: 1,
                imagesPerSecond: 100)
        ]
        let content = ReportContent(
            title: "synthetic <blobs> & co", history: history,
            embeddings: try Tensor(shape: [300, 16], scalars: scalars), labels: labels)
        let html = try content.html(options: Self.smallOptions)
        #expect(Self.xmlError(html) == nil)
        #expect(html.contains("synthetic &lt;blobs&gt; &amp; co"))
        #expect(html.contains("class 2"), "unnamed classes are numbered")
        #expect(html.contains("not measured"), "P@1 and MAP@R were not measured")
        #expect(html.contains(#"class="no-image""#))
        for section in ReportSection.allCases { #expect(html.contains(#"id="\#(section.chartID)""#)) }
    }

    /// The page lays out at 1280 px and at phone width (390 px): the four training-curve panels fit in one
    /// row of a 1280-pixel window (the MAP@R panel was cut off when they were one 1320-pixel SVG), rows and
    /// panels wrap, and any chart wider than the window scales down instead of overflowing. (Checked by eye
    /// with headless Chromium screenshots at both widths.)
    @Test func pageLaysOutFromPhoneToWideWindow() throws {
        let css = ReportStyle.css
        #expect(css.contains(".row { display: flex; flex-wrap: wrap;"))
        #expect(css.contains(".panels { display: flex; flex-wrap: wrap; }"))
        #expect(css.contains("svg.chart { display: block; overflow: visible; max-width: 100%; height: auto; }"))
        #expect(css.contains("section { margin: 0 28px 30px 0; max-width: 100%; }"))
        // No fixed width in the style sheet wider than a phone (max-width caps are fine).
        let widths = css.components(separatedBy: "\n").filter { $0.contains(" width:") && !$0.contains("max-width") }
        for line in widths {
            let pixels = line.components(separatedBy: " width:").dropFirst().compactMap {
                Int($0.trimmingCharacters(in: .whitespaces).prefix { $0.isNumber })
            }
            #expect(pixels.allSatisfy { $0 <= 390 }, "\(line)")
        }
        // Four panels and the body's side margins (32 px each) fit in 1280 px.
        #expect(4 * TrainingCurvesChart.panelWidth + 64 <= 1280)

        let history = (1...3).map {
            EpochMetrics(
                epoch: $0, loss: 0.3, activeFraction: 0.5, precisionAtOne: 0.8, mapAtR: 0.5, seconds: 1,
                imagesPerSecond: 100)
        }
        let curves = TrainingCurvesChart.svg(history)
        #expect(curves.hasPrefix(#"<div id="\#(ReportSection.trainingCurves.chartID)" class="panels">"#))
        #expect(Self.occurrences(of: #"<svg id="training-curves-chart-"#, in: curves) == 4)
        #expect(Self.occurrences(of: #" width="\#(Int(TrainingCurvesChart.panelWidth))""#, in: curves) == 4)
        let content = ReportContent(
            title: "layout", history: history,
            embeddings: try Tensor(shape: [6, 2], scalars: (0..<12).map(Float.init)),
            labels: [0, 1, 0, 1, 0, 1])
        let html = try content.html(options: Self.smallOptions)
        #expect(Self.xmlError(html) == nil)
        // A one-chart section is as wide as its chart (the CSS caps it at the window).
        #expect(html.contains(#"<section id="embedding-map" style="width: "#))
    }

    @Test func degenerateContentGivesNotesNotCrashes() throws {
        let one = ReportContent(
            title: "one class", history: [], embeddings: try Tensor(shape: [5, 2], scalars: (0..<10).map(Float.init)),
            labels: [7, 7, 7, 7, 7])
        let html = try one.html(options: Self.smallOptions)
        #expect(Self.xmlError(html) == nil)
        #expect(html.contains("No epochs recorded."))
        #expect(html.contains("no different-class pair"))
        #expect(!html.contains(ReportSection.rocCurve.chartID))

        let identical = ReportContent(
            title: "identical", history: [], embeddings: try Tensor(repeating: 0.5, shape: [6, 3]),
            labels: [0, 1, 0, 1, 0, 1])
        let flat = try identical.html(options: Self.smallOptions)
        #expect(Self.xmlError(flat) == nil)
        #expect(!flat.contains("nan") && !flat.contains("inf"), "every coordinate is finite")

        let bad = ReportContent(
            title: "bad", history: [], embeddings: try Tensor(shape: [2, 1], scalars: [0, .nan]), labels: [0, 1])
        #expect(throws: TripletError.self) { try bad.html() }
        let mismatched = ReportContent(
            title: "bad", history: [], embeddings: try Tensor(shape: [2, 1], scalars: [0, 1]), labels: [0])
        #expect(throws: TripletError.labelCountMismatch(embeddings: 2, labels: 1)) { try mismatched.html() }
        var options = ReportOptions()
        options.neighbors = 0
        #expect(throws: TripletError.invalidParameter(name: "--neighbors", value: "0", expected: "1...32")) {
            try one.html(options: options)
        }
    }

    @Test func pcaFindsThePrincipalAxis() throws {
        // Points spread along (0.6, 0.8, 0) with little noise elsewhere.
        var generator = SeededGenerator(seed: 4)
        var scalars: [Float] = []
        for _ in 0..<500 {
            let t = 5 * generator.nextNormal()
            scalars += [1 + 0.6 * t + 0.1 * generator.nextNormal(), -2 + 0.8 * t, 0.1 * generator.nextNormal()]
        }
        let pca = try PrincipalComponents(fitting: try Tensor(shape: [500, 3], scalars: scalars), count: 2)
        #expect(abs(pca.axes[0][0] - 0.6) < 0.01 && abs(pca.axes[0][1] - 0.8) < 0.01 && abs(pca.axes[0][2]) < 0.01)
        #expect(pca.explainedFractions[0] > 0.99)
        #expect(abs(pca.mean[0] - 1) < 0.5 && abs(pca.mean[1] + 2) < 0.5)
        let projected = try pca.project(
            try Tensor(
                shape: [1, 3], scalars: [Float(pca.mean[0]) + 0.6, Float(pca.mean[1]) + 0.8, Float(pca.mean[2])]))
        #expect(abs(projected[0][0] - 1) < 0.01)
    }

    @Test func jacobiDecomposesSymmetricMatrices() throws {
        let small = try SymmetricEigen(matrix: [2, 1, 1, 2], size: 2)
        #expect(abs(small.values[0] - 3) < 1e-12 && abs(small.values[1] - 1) < 1e-12)
        #expect(
            abs(small.vectors[0][0] - 0.5.squareRoot()) < 1e-12 && abs(small.vectors[0][1] - 0.5.squareRoot()) < 1e-12)

        var generator = SeededGenerator(seed: 5)
        let size = 64
        var matrix = [Double](repeating: 0, count: size * size)
        for i in 0..<size {
            for j in 0...i {
                let value = Double(generator.nextNormal())
                (matrix[i * size + j], matrix[j * size + i]) = (value, value)
            }
        }
        let eigen = try SymmetricEigen(matrix: matrix, size: size)
        #expect(zip(eigen.values, eigen.values.dropFirst()).allSatisfy { $0 >= $1 })
        for (value, vector) in zip(eigen.values, eigen.vectors) {
            for i in 0..<size {
                let product = (0..<size).reduce(0.0) { $0 + matrix[i * size + $1] * vector[$1] }
                #expect(abs(product - value * vector[i]) < 1e-9)
            }
        }
        let dot = zip(eigen.vectors[0], eigen.vectors[1]).reduce(0.0) { $0 + $1.0 * $1.1 }
        #expect(abs(dot) < 1e-12)
        #expect(throws: TripletError.self) { try SymmetricEigen(matrix: [1, 2, 3, 4], size: 2) }
        #expect(throws: TripletError.self) { try SymmetricEigen(matrix: [1, 2, 3], size: 2) }
    }

    @Test func verificationPairsRocAndEqualErrorThreshold() throws {
        // Two well separated 1-D classes: every same-class pair is closer than every different-class pair.
        let labels = [0, 0, 0, 1, 1, 1, 1]
        let embeddings = try Tensor(shape: [7, 1], scalars: [0, 0.1, 0.2, 5, 5.1, 5.2, 5.3])
        let separated = try #require(try ReportVerification(embeddings: embeddings, labels: labels, seed: 0))
        #expect(separated.positives.count == 3 + 6 && separated.negatives.count == 9)
        #expect(separated.roc.areaUnderCurve == 1 && separated.roc.equalErrorRate == 0)
        #expect(separated.positives.max()! < separated.eerThreshold + 1e-12)
        #expect(separated.eerThreshold < separated.negatives.min()!)
        #expect(try ReportVerification(embeddings: embeddings, labels: [Int](repeating: 3, count: 7), seed: 0) == nil)
        #expect(try ReportVerification(embeddings: embeddings, labels: Array(0..<7), seed: 0) == nil)

        // Mirror-image distance distributions cross at the midpoint, with FPR = FNR = 1/4 there.
        let positives = (0..<100).map { Double($0) / 100 }, negatives = (0..<100).map { 0.5 + Double($0) / 100 }
        let roc = try VerificationMetrics.roc(
            scores: positives + negatives, isSame: positives.map { _ in true } + negatives.map { _ in false },
            kind: .distance)
        #expect(abs(roc.equalErrorRate - 0.25) < 0.011)
        #expect(abs(ReportVerification.equalErrorThreshold(of: roc) - 0.745) < 0.011)
    }

    @Test func thumbnailPNGsDecodeToTheirPixels() throws {
        let width = 300, height = 250
        let pixels = (0..<width * height).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let png = try ImageEncoder.png(width: width, height: height, channels: 1, pixels: pixels)
        #expect(png.prefix(8) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        let decoded = try ImageDecoder.decode(png, source: "thumbnail", channels: .automatic)
        #expect(decoded.width == width && decoded.height == height && decoded.channels == 1)
        #expect(decoded.pixels == pixels.map { Float($0) / 255 })
        #expect(throws: TripletError.self) { try ImageEncoder.png(width: 2, height: 2, channels: 1, pixels: [0]) }
    }

    @Test func ticksAreNiceAndInsideTheDomain() {
        let scale = LinearScale(0.8438, 0.8666, to: 0, 100, count: 4, bounds: 0...1)
        #expect(scale.step == 0.01 && scale.ticks == [0.84, 0.85, 0.86, 0.87])
        #expect(scale.ticks.first! >= scale.domain.lowerBound && scale.ticks.last! <= scale.domain.upperBound)
        #expect(scale.domain.lowerBound <= 0.8438 && scale.domain.upperBound >= 0.8666)
        #expect(scale.label(0.85) == "0.85")
        let flat = LinearScale(1, 1, to: 0, 100, bounds: 0...1)
        #expect(flat.domain.upperBound == 1 && flat.domain.lowerBound < 1)
        let epochs = LinearScale(0.7, 3.3, to: 0, 100, count: 6, integer: true, exact: true)
        #expect(epochs.ticks == [1, 2, 3])
    }

    @Test func badRunFoldersThrowErrorsNamingTheFile() throws {
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent(
            "tripletkit-no-such-run-\(getpid())")
        #expect(
            throws: TripletError.corruptFile(
                path: missing.path, reason: "no such run folder (pass the --out folder of `triplet train`)")
        ) { try RunReport.write(runDirectory: missing) }

        let (folder, evaluation) = try Self.trainedRun("corrupt")
        defer { try? FileManager.default.removeItem(at: folder) }
        let metrics = folder.appendingPathComponent("metrics.json")
        func message(_ body: () throws -> Void) -> String {
            do {
                try body()
                return "no error"
            } catch let error as TripletError { return error.description } catch {
                return "not a TripletError: \(error)"
            }
        }
        try Data("{ not json".utf8).write(to: metrics)
        let corrupt = message {
            try RunReport.write(runDirectory: folder, options: Self.smallOptions, evaluation: evaluation)
        }
        #expect(corrupt.contains(metrics.path) && corrupt.contains("invalid JSON"), "\(corrupt)")
        try Data(#"[{"epoch": 1, "loss": "high"}]"#.utf8).write(to: metrics)
        let wrongType = message {
            try RunReport.write(runDirectory: folder, options: Self.smallOptions, evaluation: evaluation)
        }
        #expect(wrongType.contains("metrics.json") && wrongType.contains("[0].loss"), "\(wrongType)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("report.html").path))

        // Without metrics.json the history comes from model.json; without model.json the error names it.
        try FileManager.default.removeItem(at: metrics)
        let fromSidecar = try RunReport.content(
            runDirectory: folder, options: Self.smallOptions, evaluation: evaluation)
        #expect(fromSidecar.history.count == 2)
        try FileManager.default.removeItem(at: folder.appendingPathComponent("model.json"))
        let noModel = message {
            try RunReport.write(runDirectory: folder, options: Self.smallOptions, evaluation: evaluation)
        }
        #expect(noModel.contains(folder.appendingPathComponent("model.json").path), "\(noModel)")
    }

    @Test func reportCommandNamesAMissingFolder() throws {
        let executable = ResumeTests.executable
        try #require(FileManager.default.isExecutableFile(atPath: executable.path), "no triplet executable")
        let process = Process()
        process.executableURL = executable
        process.arguments = ["report", "/nonexistent/run-folder"]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let output = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus != 0)
        #expect(output.contains("/nonexistent/run-folder") && output.contains("no such run folder"), "\(output)")
    }
}
