import ArgumentParser
import Foundation
import Testing

@testable import triplet

/// What `triplet … --help` prints: prose never ends a line with a shell line continuation; only the lines
/// of an "Example:" / "Examples:" block (shell commands) may.
@Suite("Help text")
struct HelpTextTests {
    /// The command path of every subcommand, depth first (`["train"]`, `["gallery", "enroll"]`, …).
    static func commandPaths(
        _ command: any ParsableCommand.Type = TripletCommand.self, prefix: [String] = []
    ) -> [[String]] {
        command.configuration.subcommands.flatMap { sub -> [[String]] in
            let name = sub.configuration.commandName ?? sub._commandName
            return [prefix + [name]] + commandPaths(sub, prefix: prefix + [name])
        }
    }

    /// The lines of `help` that end with a backslash outside an example block (which runs from an
    /// "Example:" or "Examples:" line to the next blank line).
    static func strayContinuations(in help: String) -> [String] {
        var inExample = false, stray: [String] = []
        for line in help.components(separatedBy: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed == "Example:" || trimmed == "Examples:" {
                inExample = true
            } else if trimmed.isEmpty {
                inExample = false
            } else if !inExample && trimmed.hasSuffix("\\") {
                stray.append(line)
            }
        }
        return stray
    }

    /// The lines of an example block that start at column 0: a shell command the help wrapped at the
    /// terminal's width, which no longer pastes as one command.
    static func wrappedExampleLines(in help: String) -> [String] {
        var inExample = false, wrapped: [String] = []
        for line in help.components(separatedBy: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed == "Example:" || trimmed == "Examples:" {
                inExample = true
            } else if trimmed.isEmpty {
                inExample = false
            } else if inExample && !line.hasPrefix(" ") {
                wrapped.append(line)
            }
        }
        return wrapped
    }

    /// Runs the `triplet` executable with `arguments`; returns what it printed.
    static func run(_ arguments: [String]) throws -> String {
        let result = try TripletProcess.run(arguments)
        return result.output + result.error
    }

    @Test func theWalkFindsEveryCommand() {
        let paths = Self.commandPaths().map { $0.joined(separator: " ") }
        for expected in ["train", "search", "bench losses", "gallery calibrate", "gallery demo", "report"] {
            #expect(paths.contains(expected), "\(expected) is missing from \(paths)")
        }
    }

    @Test func theCheckCatchesAStrayBackslashButNotAnExample() {
        let help = """
            OVERVIEW: x

            Writes OUT/model.json (architecture, options, \\
            epoch).

            Example:
              triplet train --model mlp \\
                --epochs 3
            """
        #expect(Self.strayContinuations(in: help) == ["Writes OUT/model.json (architecture, options, \\"])
    }

    @Test(arguments: [[]] + commandPaths())
    func noProseLineEndsWithABackslash(_ path: [String]) throws {
        let help = try Self.run(path + ["--help"])
        #expect(help.contains("USAGE:"), "no help for \(path): \(help)")
        let stray = Self.strayContinuations(in: help)
        #expect(stray.isEmpty, "triplet \(path.joined(separator: " ")) --help: \(stray)")
        let wrapped = Self.wrappedExampleLines(in: help)
        #expect(
            wrapped.isEmpty, "triplet \(path.joined(separator: " ")) --help wraps its example at 80 columns: \(wrapped)"
        )
        // The library's own rendering (what a wider terminal shows) agrees.
        let root = TripletCommand.self as any ParsableCommand.Type
        var command = root
        for name in path {
            guard
                let sub = command.configuration.subcommands.first(where: {
                    ($0.configuration.commandName ?? $0._commandName) == name
                })
            else { break }
            command = sub
        }
        let wide = TripletCommand.helpMessage(for: command, columns: 200)
        #expect(Self.strayContinuations(in: wide).isEmpty, "at 200 columns: \(Self.strayContinuations(in: wide))")
    }
}
