// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "TripletKit",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "TripletCore", targets: ["TripletCore"]),
        .library(name: "TripletLosses", targets: ["TripletLosses"]),
        .library(name: "TripletNetworks", targets: ["TripletNetworks"]),
        .library(name: "TripletData", targets: ["TripletData"]),
        .library(name: "TripletEvaluation", targets: ["TripletEvaluation"]),
        .library(name: "TripletLinear", targets: ["TripletLinear"]),
        .library(name: "TripletText", targets: ["TripletText"]),
        .library(name: "TripletKit", targets: ["TripletKit"]),
        .library(name: "TripletDistributed", targets: ["TripletDistributed"]),
        .library(name: "TripletGallery", targets: ["TripletGallery"]),
        .library(name: "TripletServe", targets: ["TripletServe"]),
        .executable(name: "triplet", targets: ["triplet"]),
        // libFuzzer targets for every parser (`make fuzz`); without the sanitizer it replays files.
        .executable(name: "Fuzz", targets: ["Fuzz"]),
    ],
    dependencies: [
        // The command-line tool's subcommands, options and --help.
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // SQLite for TripletGallery (nothing else depends on it).
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        // The HTTP server of `triplet serve` (TripletServe only). /metrics writes the Prometheus text format
        // itself (a few counters and histograms, ~100 lines): swift-prometheus 2.4.1 would add swift-metrics'
        // registry and its own build for no format feature the server needs.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        // NIOCore (ByteBuffer, the body size error), HTTPTypes, Logging and ServiceLifecycle: Hummingbird's own
        // dependencies, named because TripletServe imports them.
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // Documentation only: `swift package generate-documentation` (DocC); resolved, never built by build/test.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
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
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // stb_image, stb_image_resize and stb_image_write, as Debian's libstb-dev builds them.
        .systemLibrary(name: "CStb", pkgConfig: "stb", providers: [.apt(["libstb-dev"])]),
        // stb_image_resize compiled from libstb-dev's header with its asserts off (see resize.c).
        .target(name: "CStbResize", linkerSettings: [.linkedLibrary("m")]),
        .target(name: "TripletLosses", dependencies: ["TripletCore"]),
        .target(name: "TripletNetworks", dependencies: ["TripletCore"]),
        .target(name: "TripletData", dependencies: ["TripletCore", "CZlib", "CStb", "CStbResize"]),
        .target(name: "TripletEvaluation", dependencies: ["TripletCore"]),
        // The text encoder's side: BERT WordPiece tokenisation (the encoder follows).
        .target(name: "TripletText", dependencies: ["TripletCore", "TripletNetworks", "TripletLosses"]),
        // The linear learners (OASIS, Schultz & Joachims's relative comparisons): BLAS on dense features.
        .target(
            name: "TripletLinear",
            dependencies: ["TripletCore", .target(name: "COpenBLAS", condition: .when(platforms: [.linux]))]
        ),
        .target(
            name: "TripletKit",
            dependencies: [
                "TripletCore", "TripletLosses", "TripletNetworks", "TripletData", "TripletEvaluation", "TripletLinear",
            ]
        ),
        // Open MPI (Debian's libopenmpi-dev), behind static inline functions for its handle macros.
        .systemLibrary(name: "COpenMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev"])]),
        // Data-parallel training over MPI: all-gather of embeddings, all-reduce of gradients (mpirun -np N).
        .target(name: "TripletDistributed", dependencies: ["TripletKit", "COpenMPI"]),
        .target(
            name: "TripletGallery",
            dependencies: ["TripletKit", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        // `triplet serve`: the JSON API, access control, limits, metrics and web page on Hummingbird.
        .target(
            name: "TripletServe",
            dependencies: [
                "TripletKit", "TripletGallery", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "triplet",
            dependencies: [
                "TripletKit", "TripletGallery", "TripletText", "TripletDistributed", "TripletServe",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "Fuzz", dependencies: ["TripletKit", "TripletText"]),
        .testTarget(name: "TripletCoreTests", dependencies: ["TripletCore"]),
        .testTarget(name: "TripletNetworksTests", dependencies: ["TripletNetworks"]),
        .testTarget(name: "TripletDataTests", dependencies: ["TripletData"]),
        // Fixtures/: all-MiniLM-L6-v2's vocab.txt and Hugging Face's ids for 3 036 texts.
        .testTarget(name: "TripletTextTests", dependencies: ["TripletText"], resources: [.copy("Fixtures")]),
        .testTarget(name: "TripletLinearTests", dependencies: ["TripletLinear"], resources: [.copy("Reference")]),
        .testTarget(
            name: "TripletEvaluationTests", dependencies: ["TripletEvaluation"], resources: [.copy("Reference")]),
        .testTarget(
            name: "TripletGalleryTests",
            dependencies: ["TripletGallery", "TripletKit", .product(name: "GRDB", package: "GRDB.swift")]),
        // Starts the server on a loopback port and talks to it with URLSession.
        .testTarget(
            name: "TripletServeTests",
            dependencies: [
                "TripletServe", "TripletGallery", "TripletKit", .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        // Fixtures/: the digits CSV and a model.json written before the snake_case keys.
        .testTarget(name: "TripletKitTests", dependencies: ["TripletKit", "triplet"], resources: [.copy("Fixtures")]),
        .testTarget(
            name: "TripletLossesTests",
            dependencies: ["TripletLosses", "TripletCore", "TripletLinear"],
            resources: [.copy("Conformance/cases"), .copy("Conformance/cases-family"), .copy("Conformance/cases-xbm")]
        ),
    ]
)
