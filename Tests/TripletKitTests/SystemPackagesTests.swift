import Foundation
import Testing

/// `make deps` (which `make demo`, `make build` and `make test` run first) installs every Debian package that
/// a system-library target of the build names as its apt provider: ours, and those of the packages we depend
/// on (GRDB's SQLite), so that a fresh Debian machine builds without a missing header or library.
@Suite("System packages")
struct SystemPackagesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The Debian packages named in `.apt([...])` providers of a manifest's text.
    static func aptProviders(in manifest: String) -> Set<String> {
        var names = Set<String>()
        for part in manifest.components(separatedBy: ".apt([").dropFirst() {
            guard let list = part.components(separatedBy: "])").first else { continue }
            for item in list.components(separatedBy: ",") {
                let name = item.trimmingCharacters(in: .whitespacesAndNewlines.union(CharacterSet(charactersIn: "\"")))
                if !name.isEmpty { names.insert(name) }
            }
        }
        return names
    }

    /// The packages of the Makefile's `PACKAGES :=` line.
    static func makefilePackages() throws -> Set<String> {
        let makefile = try String(contentsOf: root.appendingPathComponent("Makefile"), encoding: .utf8)
        let line = try #require(
            makefile.components(separatedBy: "\n").first { $0.hasPrefix("PACKAGES :=") }, "no PACKAGES line")
        return Set(line.dropFirst("PACKAGES :=".count).split(separator: " ").map(String.init))
    }

    /// Our manifest and those of the checked-out dependencies (when SwiftPM has checked them out here).
    static func manifests() throws -> [URL] {
        var urls = [root.appendingPathComponent("Package.swift")]
        let checkouts = root.appendingPathComponent(".build/checkouts")
        for name in (try? FileManager.default.contentsOfDirectory(atPath: checkouts.path)) ?? [] {
            let folder = checkouts.appendingPathComponent(name)
            let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            urls += files.filter { $0.hasPrefix("Package") && $0.hasSuffix(".swift") }.map {
                folder.appendingPathComponent($0)
            }
        }
        return urls
    }

    @Test func theParserReadsProviders() {
        let manifest = #"""
            .systemLibrary(name: "A", pkgConfig: "a", providers: [.apt(["liba-dev", "libb-dev"]), .brew(["a"])]),
            .systemLibrary(name: "GRDBSQLite", providers: [.apt(["libsqlite3-dev"])]),
            """#
        #expect(Self.aptProviders(in: manifest) == ["liba-dev", "libb-dev", "libsqlite3-dev"])
    }

    @Test func makeDepsInstallsEveryAptProvider() throws {
        let installed = try Self.makefilePackages()
        var required = Set<String>()
        for url in try Self.manifests() {
            let providers = Self.aptProviders(in: try String(contentsOf: url, encoding: .utf8))
            #expect(providers.isSubset(of: installed), "\(url.path) needs \(providers.subtracting(installed).sorted())")
            required.formUnion(providers)
        }
        #expect(
            required.isSuperset(of: ["libopenblas-dev", "zlib1g-dev", "libstb-dev"]), "our own providers are read")
        // The test suite reads Fashion-MNIST (the demo trains on it).
        #expect(installed.contains("dataset-fashion-mnist"))
    }

    @Test func grdbNeedsTheSystemSQLite() throws {
        let checkouts = Self.root.appendingPathComponent(".build/checkouts/GRDB.swift/Package.swift")
        try #require(FileManager.default.fileExists(atPath: checkouts.path), "GRDB is not checked out here")
        let providers = Self.aptProviders(in: try String(contentsOf: checkouts, encoding: .utf8))
        #expect(providers.contains("libsqlite3-dev"))
        #expect(try Self.makefilePackages().contains("libsqlite3-dev"))
    }
}
