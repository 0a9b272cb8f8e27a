// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "TripletKit",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "TripletCore", targets: ["TripletCore"]),
        .library(name: "TripletLosses", targets: ["TripletLosses"]),
        .executable(name: "triplet", targets: ["triplet"]),
    ],
    dependencies: [
        // The command-line tool's subcommands, options and --help.
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2")
    ],
    targets: [
        .systemLibrary(
            name: "COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .target(
            name: "TripletCore",
            dependencies: [.target(name: "COpenBLAS", condition: .when(platforms: [.linux]))]
        ),
        .target(name: "TripletLosses", dependencies: ["TripletCore"]),
        .executableTarget(
            name: "triplet",
            dependencies: [
                "TripletCore", "TripletLosses",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "TripletCoreTests", dependencies: ["TripletCore"]),
        .testTarget(
            name: "TripletLossesTests",
            dependencies: ["TripletLosses", "TripletCore"],
            resources: [.copy("Conformance/cases")]
        ),
    ]
)
