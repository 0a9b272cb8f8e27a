import ArgumentParser
import Foundation
import TripletGallery
import TripletKit

/// `triplet gallery demo`: the open-set protocol on Fashion-MNIST with a model trained on classes 0–7.
struct GalleryDemo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Open-set demo: classes 8 and 9 enrolled without retraining, classes 0–7 never enrolled.",
        discussion: """
            The model must have been trained on classes 0–7 only. The gallery (recreated) holds classes 8 and 9, \
            enrolled from --enrolled-per-class training samples each: identities the model never saw. The \
            threshold is calibrated at --target-far for open-set identification on training samples the model \
            never saw (up to --calibration-per-class of every class: for classes 0–7, rows past the --limit it was \
            trained with): it lets at most that share of never-enrolled samples \
            (classes 0–7) be accepted as anyone. Then the whole test set is identified: a sample of class 8 or 9 is \
            right when its identity is correct and accepted, a sample of classes 0–7 when it is rejected as unknown.
            Example:
              triplet train --train-classes 0-7 --limit 50000 --epochs 3 \\
                --out runs/gallery-model
              triplet gallery demo --model runs/gallery-model \\
                --gallery runs/gallery-demo.sqlite
            """
    )

    @Option(help: "The model folder, trained on classes 0–7.") var model: String
    @Option(help: "The gallery file to (re)create.") var gallery = "runs/gallery-demo.sqlite"
    @Option(help: "Training samples enrolled for each of classes 8 and 9.") var enrolledPerClass = 5
    @Option(help: "Other training samples per class for the calibration.") var calibrationPerClass = 1000
    @Option(help: "The false accept rate to calibrate at.") var targetFar = 0.01
    @Option(help: "Templates per identity: allSamples or normalizedMean.") var templates = GalleryTemplates.allSamples
    @Option(help: "Threads.") var threads = 2
    @Option(help: "Folder of the dataset files (default: the Debian package's).") var dataDir: String?

    func validate() throws {
        guard enrolledPerClass >= 1, calibrationPerClass >= 1 else {
            throw ValidationError("--enrolled-per-class and --calibration-per-class must be at least 1")
        }
    }

    func run() throws {
        let start = Date()
        let enrolled = [8, 9], neverEnrolled = Array(0..<8)
        let network = try TrainedModel(directory: URL(fileURLWithPath: model), threads: threads)
        guard let trained = network.config?.trainClasses, Set(trained).isDisjoint(with: enrolled) else {
            throw ValidationError(
                "\(model) was trained on classes \(network.config?.trainClasses.map { "\($0)" } ?? "0–9"): the demo "
                    + "needs a model that never saw 8 and 9 (triplet train --train-classes 0-7 --limit 50000 --out DIR)"
            )
        }
        let source = DataSource.fashionMNIST(directory: dataDir)
        let train = try source.load(split: .train, threads: threads).dataset
        let test = try source.load(split: .test, threads: threads).dataset
        let names = FashionMNIST.classNames

        let url = URL(fileURLWithPath: gallery)
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: url.path + suffix) }
        let store = try Gallery(path: url, model: network, templates: templates)

        // Calibration samples the model never saw: training rows past its --limit (all rows of 8 and 9).
        let unseenFrom = network.config?.sampleLimit ?? train.count
        var calibrationRows: [Int] = [], calibrationNames: [String?] = []
        for c in neverEnrolled + enrolled {
            let rows = train.labels.indices.filter { train.labels[$0] == c }
            let skip = enrolled.contains(c) ? enrolledPerClass : 0
            if skip > 0 {
                try store.enroll(
                    name: names[c], samples: try train.subset(Array(rows[0..<min(skip, rows.count)])).inputs,
                    model: network, metadata: ["label": "\(c)"])
            }
            let pool = rows.dropFirst(skip).filter { enrolled.contains(c) || $0 >= unseenFrom }
            let picked = pool.prefix(calibrationPerClass)
            guard !picked.isEmpty else {
                throw ValidationError(
                    "no training sample of class \(c) left for the calibration: train the model with --limit "
                        + "(e.g. 50000) so that the rows after it stay unseen")
            }
            calibrationRows += picked
            calibrationNames += repeatElement(skip > 0 ? names[c] : nil, count: picked.count)
        }
        let held = try train.subset(calibrationRows)
        let calibration = try store.calibrate(
            samples: held.inputs, identities: calibrationNames, model: network, targetFAR: targetFar)

        let queries = try network.embed(test.inputs)
        let searchStart = Date()
        let answers = try store.identify(queries, k: 1)
        let searchSeconds = Date().timeIntervalSince(searchStart)
        var right = [Int](repeating: 0, count: 10), total = [Int](repeating: 0, count: 10)
        var closedSetRight = 0
        for (label, answer) in zip(test.labels, answers) {
            total[label] += 1
            if enrolled.contains(label) {
                if answer.accepted?.identity.name == names[label] { right[label] += 1 }
                if answer.matches.first?.identity.name == names[label] { closedSetRight += 1 }
            } else if answer.isUnknown {
                right[label] += 1
            }
        }
        func count(_ classes: [Int]) -> (right: Int, total: Int) {
            (classes.reduce(0) { $0 + right[$1] }, classes.reduce(0) { $0 + total[$1] })
        }
        func percent(_ part: Int, _ whole: Int) -> String {
            String(format: "%.2f%% (%d/%d)", 100 * Double(part) / Double(max(whole, 1)), part, whole)
        }
        let known = count(enrolled), others = count(neverEnrolled)
        func perClass(_ classes: [Int]) -> String {
            classes.map {
                "\(names[$0]) \(String(format: "%.1f%%", 100 * Double(right[$0]) / Double(max(total[$0], 1))))"
            }
            .joined(separator: ", ")
        }
        print(
            """
            Protocol: model trained on classes 0–7 only. Gallery: classes 8 (\(names[8])) and 9 (\(names[9])) \
            enrolled from \(enrolledPerClass) training samples each, without retraining; classes 0–7 never enrolled.
            Calibration on \(held.count) training samples the model never saw (up to \(calibrationPerClass) per \
            class; classes 0–7 from rows \(unseenFrom) on), target FAR \(targetFar): \(Self.describe(calibration))
            Test set (\(test.count) samples), identify with k = 1:
              enrolled classes 8–9, correct identity and accepted (TAR): \(percent(known.right, known.total))
                \(perClass(enrolled))
              never-enrolled classes 0–7, rejected as unknown:           \(percent(others.right, others.total))
                \(perClass(neverEnrolled))
              false accepts of never-enrolled samples (FAR):            \
            \(percent(others.total - others.right, others.total))
              closed-set top-1 of classes 8–9 (no threshold):            \(percent(closedSetRight, known.total))
            identify of \(test.count) queries: \(String(format: "%.1f", searchSeconds * 1000)) ms; \
            demo total \(String(format: "%.1f", Date().timeIntervalSince(start))) s
            """)
    }

    /// Calibrates `gallery` on the same/different pairs of labelled embeddings (1:1 verification).
    static func calibratePairs(
        _ gallery: Gallery, _ embeddings: Tensor, _ labels: [Int], targetFAR: Double
    ) throws -> GalleryCalibration {
        let pairs = try VerificationPairs.make(labels: labels)
        let distances = try pairs.distances(embeddings, metric: gallery.metric)
        return try gallery.calibrate(distances: distances.map(Float.init), isSame: pairs.isSame, targetFAR: targetFAR)
    }

    /// "threshold …, FAR …, TAR … (on …)".
    static func describe(_ c: GalleryCalibration) -> String {
        let on =
            c.basis == .pairs
            ? "on the calibration pairs"
            : "on the calibration probes: FAR = never-enrolled accepted, TAR = enrolled accepted as themselves"
        return String(
            format: "threshold %.4f, FAR %.4f, TAR %.4f", c.threshold, c.falseAcceptRate, c.trueAcceptRate) + " (\(on))"
    }
}
