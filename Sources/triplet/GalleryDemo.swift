import ArgumentParser
import Foundation
import TripletGallery
import TripletKit

/// `triplet gallery demo`: the open-set protocol on Fashion-MNIST with a model trained on classes 0–7.
struct GalleryDemo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Open-set demo: known classes 0–7, a new identity enrolled without retraining, one never enrolled.",
        discussion: """
            The model must have been trained on classes 0–7 only. The gallery (recreated) holds classes \
            0–7 from --known-per-class training samples each and the new class (--new-class, default 8) \
            from --new-per-class samples; the other (--unenrolled-class, default 9) is never enrolled. The \
            threshold is calibrated at --target-far on same/different pairs of other training samples of \
            classes 0–7 (--calibration-per-class each). Then every test sample is identified: a sample of an \
            enrolled class is right when its identity is correct and accepted, a sample of the \
            never-enrolled class is right when it is rejected as unknown.
            Example:
              triplet train --train-classes 0-7 --epochs 3 --out runs/gallery-model
              triplet gallery demo --model runs/gallery-model --gallery runs/gallery-demo.sqlite
            """
    )

    @Option(help: "The model folder, trained on classes 0–7.") var model: String
    @Option(help: "The gallery file to (re)create.") var gallery = "runs/gallery-demo.sqlite"
    @Option(help: "Training samples enrolled per known class.") var knownPerClass = 20
    @Option(help: "Training samples enrolled for the new class 8.") var newPerClass = 5
    @Option(help: "Training samples per class 0–7 for the calibration pairs.") var calibrationPerClass = 250
    @Option(help: "The false accept rate to calibrate at.") var targetFar = 0.01
    @Option(help: "The class enrolled as a new identity (8 or 9).") var newClass = 8
    @Option(help: "The class never enrolled (9 or 8).") var unenrolledClass = 9
    @Option(help: "Threads.") var threads = 2
    @Option(help: "Folder of the dataset files (default: the Debian package's).") var dataDir: String?

    func run() throws {
        let start = Date()
        let known = Array(0..<8), neverEnrolled = unenrolledClass
        guard Set([newClass, neverEnrolled]) == [8, 9] else {
            throw ValidationError("--new-class and --unenrolled-class: one must be 8 and the other 9")
        }
        let source = DatasetSource(name: "fashion-mnist", directory: dataDir)
        let train = try source.load(.train), test = try source.load(.test)
        let network = try TrainedModel(directory: URL(fileURLWithPath: model), threads: threads)
        let names = FashionMNIST.classNames

        let url = URL(fileURLWithPath: gallery)
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: url.path + suffix) }
        let store = try GalleryOptions.parse(["--gallery", gallery, "--model", model]).open(loaded: network)

        var calibrationRows: [Int] = []
        for c in known + [newClass] {
            let rows = train.labels.indices.filter { train.labels[$0] == c }
            let enrolled = c == newClass ? newPerClass : knownPerClass
            guard rows.count >= enrolled + calibrationPerClass else {
                throw ValidationError("class \(c) has \(rows.count) training samples, too few for these counts")
            }
            let samples = try network.embed(try train.subset(Array(rows[0..<enrolled])).inputs)
            try store.enroll(name: names[c], embeddings: samples, metadata: ["class": "\(c)"])
            if c != newClass { calibrationRows += rows[enrolled..<(enrolled + calibrationPerClass)] }
        }
        let held = try train.subset(calibrationRows)
        let calibration = try Self.calibrate(
            store, try network.embed(held.inputs), held.labels, targetFAR: targetFar)

        let queries = try network.embed(test.inputs)
        let searchStart = Date()
        let answers = try store.identify(queries, k: 1)
        let searchSeconds = Date().timeIntervalSince(searchStart)
        var right = [Int](repeating: 0, count: 10), total = [Int](repeating: 0, count: 10)
        var closedSetRight = 0, closedSetTotal = 0
        for (label, answer) in zip(test.labels, answers) {
            total[label] += 1
            if label == neverEnrolled {
                if answer.isUnknown { right[label] += 1 }
            } else {
                if answer.accepted?.identity.name == names[label] { right[label] += 1 }
                if answer.matches.first?.identity.name == names[label] { closedSetRight += 1 }
                closedSetTotal += 1
            }
        }
        func rate(_ classes: [Int]) -> String {
            let r = classes.reduce(0) { $0 + right[$1] }, t = classes.reduce(0) { $0 + total[$1] }
            return String(format: "%.2f%% (%d/%d)", 100 * Double(r) / Double(max(t, 1)), r, t)
        }
        print(
            """
            Protocol: model trained on classes 0–7 only. Gallery: classes 0–7 enrolled from \(knownPerClass) \
            training samples each, new class \(newClass) (\(names[newClass])) enrolled from \(newPerClass) samples without \
            retraining, class \(neverEnrolled) (\(names[neverEnrolled])) never enrolled.
            Calibration: \(held.count) other training samples of classes 0–7, same/different pairs, target FAR \
            \(targetFar): \(Self.describe(calibration))
            Test set (\(test.count) samples), identify with k = 1 over \(store.list().count) identities:
              known classes 0–7, correct identity and accepted: \(rate(known))
              new identity \(newClass), correct identity and accepted:    \(rate([newClass]))
              never-enrolled class \(neverEnrolled), rejected as unknown:       \(rate([neverEnrolled]))
              closed-set top-1 of enrolled classes (no threshold):    \
            \(String(format: "%.2f%%", 100 * Double(closedSetRight) / Double(max(closedSetTotal, 1))))
            identify of \(test.count) queries: \(String(format: "%.1f", searchSeconds * 1000)) ms; \
            demo total \(String(format: "%.1f", Date().timeIntervalSince(start))) s
            """)
    }

    /// Calibrates `gallery` on the same/different pairs of labelled embeddings.
    static func calibrate(
        _ gallery: Gallery, _ embeddings: Tensor, _ labels: [Int], targetFAR: Double
    ) throws -> GalleryCalibration {
        let pairs = try VerificationPairs.make(labels: labels)
        let distances = try pairs.distances(embeddings, metric: gallery.metric)
        return try gallery.calibrate(distances: distances.map(Float.init), isSame: pairs.isSame, targetFAR: targetFAR)
    }

    /// "threshold …, FAR …, TAR …".
    static func describe(_ c: GalleryCalibration) -> String {
        String(
            format: "threshold %.4f, FAR %.4f, TAR %.4f (on the calibration pairs)", c.threshold, c.falseAcceptRate,
            c.trueAcceptRate)
    }
}
