import ArgumentParser

/// The `triplet` command-line tool.
@main
struct TripletCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "triplet",
        abstract: "TripletKit: metric learning with the triplet loss.",
        subcommands: [
            Train.self, FitLinear.self, Embed.self, Evaluate.self, Index.self, Search.self, ReportCommand.self,
            Bench.self, GalleryCommand.self, TextCommand.self, ServeCommand.self,
        ]
    )
}

/// `triplet bench …`: performance measurements.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure TripletKit's speed and memory.",
        subcommands: [BenchLosses.self, BenchKNN.self, BenchGallery.self, BenchLinear.self]
    )
}
