import ArgumentParser
import Foundation
import TripletGallery
import TripletKit

/// `triplet gallery …`: an open-set gallery of identities in one SQLite file.
struct GalleryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gallery",
        abstract: "Enroll, identify and verify identities in an open-set gallery (SQLite), without retraining.",
        subcommands: [
            GalleryCreate.self, GalleryEnroll.self, GalleryIdentify.self, GalleryVerify.self, GalleryCalibrate.self,
            GalleryList.self, GalleryRename.self, GalleryRemove.self, GalleryExport.self, GalleryDemo.self,
        ]
    )
}

/// `triplet gallery create`: an empty gallery bound to a model.
struct GalleryCreate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create an empty gallery bound to a model's fingerprint and embedding dimension.",
        discussion: """
            Example:
              triplet gallery create --gallery people.sqlite --model runs/gallery-model
            """
    )

    @OptionGroup var options: GalleryOptions

    func run() throws {
        let gallery = try options.open()
        print("gallery \(options.gallery): model \(gallery.fingerprint), dimension \(gallery.dimension)")
    }
}

/// `triplet gallery enroll`: a new identity from samples.
struct GalleryEnroll: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enroll",
        abstract: "Enroll a new identity from samples, all in one transaction.",
        discussion: """
            Example:
              triplet gallery enroll --gallery people.sqlite --model runs/gallery-model \\
                --name bag --split train --rows-of-class 8 --count 5
            """
    )

    @OptionGroup var options: GalleryOptions
    @OptionGroup var inputs: GalleryInputOptions
    @Option(help: "The new identity's name.") var name: String

    func run() throws {
        let (embeddings, labels) = try inputs.load(options)
        let gallery = try options.open(dimension: embeddings.rowWidth)
        // Samples of one labelled class keep their label, which `calibrate --open-set` matches probes with.
        let label = labels.flatMap { Set($0).count == 1 ? $0.first : nil }
        let id = try gallery.enroll(
            name: name, embeddings: embeddings, metadata: label.map { ["label": "\($0)"] } ?? [:])
        print("enrolled \(name) (id \(id)): \(embeddings.rowCount) embeddings")
    }
}

/// `triplet gallery identify`: the nearest identities of each sample, or "unknown".
struct GalleryIdentify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "identify",
        abstract: "Print the nearest identities of each sample with their distances, or unknown.",
        discussion: """
            Example:
              triplet gallery identify --gallery people.sqlite \\
                --model runs/gallery-model --rows 0,5,9 -k 3
            """
    )

    @OptionGroup var options: GalleryOptions
    @OptionGroup var inputs: GalleryInputOptions
    @Option(name: .short, help: "How many identities to print per sample.") var k = 1

    func run() throws {
        let (embeddings, labels) = try inputs.load(options)
        let gallery = try options.open(dimension: embeddings.rowWidth)
        for (i, answer) in try gallery.identify(embeddings, k: k).enumerated() {
            let label = labels.map { " (label \($0[i]))" } ?? ""
            let verdict = answer.accepted.map { "\($0.identity.name)" } ?? "unknown"
            let candidates = answer.matches.map { "\($0.identity.name) \(String(format: "%.4f", $0.distance))" }
            print("sample \(i)\(label): \(verdict)  [\(candidates.joined(separator: ", "))]")
        }
    }
}

/// `triplet gallery verify`: accept or reject each sample as a named identity.
struct GalleryVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Accept or reject each sample as the named identity, with its distance (needs a calibration).",
        discussion: """
            Example:
              triplet gallery verify --gallery people.sqlite --model runs/gallery-model \\
                --name bag --rows 12
            """
    )

    @OptionGroup var options: GalleryOptions
    @OptionGroup var inputs: GalleryInputOptions
    @Option(help: "The claimed identity.") var name: String

    func run() throws {
        let (embeddings, _) = try inputs.load(options)
        let gallery = try options.open(dimension: embeddings.rowWidth)
        for i in 0..<embeddings.rowCount {
            let answer = try gallery.verify(embeddings.row(i), identity: name)
            print("sample \(i): \(answer.accepted ? "accept" : "reject") \(String(format: "%.4f", answer.distance))")
        }
    }
}

/// `triplet gallery calibrate`: the threshold for a target false accept rate.
struct GalleryCalibrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Pick and store the distance threshold that reaches a target false accept rate.",
        discussion: """
            Labelled dataset rows decide the threshold. By default their same-label and different-label pairs \
            (1:1 verification: FAR is the share of different-label pairs accepted). With --open-set each row is \
            identified against the gallery (1:N): a row whose label is an enrolled identity's (the label stored \
            when it was enrolled from dataset rows) should be accepted as that identity, any other row is \
            never enrolled, and FAR is the share of those accepted as anyone.

            Example:
              triplet gallery calibrate --gallery people.sqlite \\
                --model runs/gallery-model --split train --rows 30000-31999 \\
                --target-far 0.01 --open-set
            """
    )

    @OptionGroup var options: GalleryOptions
    @OptionGroup var inputs: GalleryInputOptions
    @Option(help: "The false accept rate to reach, in 0...1.") var targetFar = 0.01
    @Flag(help: "Calibrate open-set identification instead of pairs (see above).") var openSet = false

    func run() throws {
        let (embeddings, labels) = try inputs.load(options)
        guard let labels else { throw ValidationError("calibrate needs labelled samples: give dataset --rows") }
        let gallery = try options.open(dimension: embeddings.rowWidth)
        let result: GalleryCalibration
        if openSet {
            var byLabel: [String: String] = [:]
            for identity in try gallery.list() {
                if let label = identity.metadata["label"] { byLabel[label] = identity.name }
            }
            guard !byLabel.isEmpty else {
                throw ValidationError(
                    "--open-set needs identities enrolled from labelled dataset rows (they store their label)")
            }
            result = try gallery.calibrate(
                probes: embeddings, identities: labels.map { byLabel["\($0)"] }, targetFAR: targetFar)
        } else {
            result = try GalleryDemo.calibratePairs(gallery, embeddings, labels, targetFAR: targetFar)
        }
        print(GalleryDemo.describe(result))
    }
}

/// `triplet gallery list`: the identities and the calibration.
struct GalleryList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the identities, their sample counts and the calibration.",
        discussion: """
            Example:
              triplet gallery list --gallery people.sqlite --model runs/gallery-model
            """
    )

    @OptionGroup var options: GalleryOptions

    func run() throws {
        let gallery = try options.open()
        let identities = try gallery.list()
        print("\(identities.count) identities, \(identities.reduce(0) { $0 + $1.sampleCount }) embeddings")
        for identity in identities { print("\(identity.name)\t\(identity.sampleCount)") }
        print(try gallery.calibration.map(GalleryDemo.describe) ?? "not calibrated")
    }
}

/// `triplet gallery remove`: an identity and its embeddings.
struct GalleryRemove: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Remove an identity and its embeddings.",
        discussion: """
            Example:
              triplet gallery remove --gallery people.sqlite --model runs/gallery-model \\
                --name bag
            """
    )

    @OptionGroup var options: GalleryOptions
    @Option(help: "The identity to remove.") var name: String

    func run() throws {
        try options.open().remove(identity: name)
        print("removed \(name)")
    }
}

/// `triplet gallery rename`: a new name for an identity.
struct GalleryRename: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rename",
        abstract: "Rename an identity (its embeddings stay).",
        discussion: """
            Example:
              triplet gallery rename --gallery people.sqlite --model runs/gallery-model \\
                --name bag --to handbag
            """
    )

    @OptionGroup var options: GalleryOptions
    @Option(help: "The identity to rename.") var name: String
    @Option(help: "Its new name.") var to: String

    func run() throws {
        try options.open().rename(name, to: to)
        print("renamed \(name) to \(to)")
    }
}

/// `triplet gallery export`: every embedding as NPY, the identities as JSON.
struct GalleryExport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write embeddings.npy, identities.npy (the identity id of each row) and identities.json.",
        discussion: """
            Example:
              triplet gallery export --gallery people.sqlite --model runs/gallery-model \\
                --out people-export
            """
    )

    @OptionGroup var options: GalleryOptions
    @Option(help: "The folder to write (created when missing).") var out: String

    func run() throws {
        let gallery = try options.open()
        try gallery.export(to: URL(fileURLWithPath: out))
        print("exported \(try gallery.list().count) identities to \(out)")
    }
}
