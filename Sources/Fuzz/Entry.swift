import Foundation

/// The target `FUZZ_TARGET` selects; a missing or unknown name stops the run with the list of names.
let selected: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget.named(name) else {
        let names = FuzzTarget.all.map(\.name).joined(separator: ", ")
        FileHandle.standardError.write(Data("set FUZZ_TARGET to one of: \(names)\n".utf8))
        exit(2)
    }
    return target
}()

/// libFuzzer's entry point: one input through the selected target; errors are the expected answer.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    _ = try? selected.run(bytes)
    return 0
}

#if !FUZZING
    /// Without libFuzzer (a build without `-sanitize=fuzzer`): runs each file named on the command line
    /// through the target `FUZZ_TARGET` selects, and prints how each ended, to replay a corpus or a crash.
    @main
    struct Replay {
        static func main() throws {
            for path in CommandLine.arguments.dropFirst() {
                let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
                do {
                    try selected.run(bytes)
                    print("\(path): accepted")
                } catch {
                    print("\(path): \(error)")
                }
            }
        }
    }
#endif
