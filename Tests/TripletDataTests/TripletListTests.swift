import Foundation
import Testing

@testable import TripletCore
@testable import TripletData

/// The triplets of `text`, as (anchor, positive, negative) arrays.
private func parse(
    _ text: String, count: Int = 6, files: [String]? = nil, labels: [Int]? = nil
) throws -> [[Int]] {
    try TripletList.parse(Array(text.utf8), source: "t.csv", sampleCount: count, files: files, labels: labels)
        .map { [$0.anchor, $0.positive, $0.negative] }
}

/// The reason of the `TripletError.corruptFile` that parsing `text` throws.
private func failure(_ text: String, files: [String]? = nil, labels: [Int]? = nil) -> String? {
    corruptReason { _ = try parse(text, files: files, labels: labels) }?.reason
}

@Suite("Triplet list")
struct TripletListTests {
    let files = ["cat/1.png", "cat/2.png", "cat/x/3.png", "dog/1.png", "dog/4.png", "dog/5#b.png"]
    let labels = [0, 0, 0, 1, 1, 1]

    @Test func readsIndicesPathsAndBareNames() throws {
        let text = """
            # anchor, positive, negative

            0, 1, 3
            cat/1.png,cat/x/3.png , dog/1.png   # paths
            2.png\t3.png 4.png
              4 5#b.png 0
            \r
            """
        #expect(try parse(text, files: files) == [[0, 1, 3], [0, 2, 3], [1, 2, 4], [4, 5, 0]])
        #expect(try parse("5,4,3\r\n0,0,1\n", count: 6) == [[5, 4, 3], [0, 0, 1]])
    }

    @Test func readsAFileForAnImageFolder() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        for (i, path) in ["a/p.png", "a/q.png", "b/r.png"].enumerated() {
            let url = folder.url.appendingPathComponent(path)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(try ImageEncoder.png(width: 1, height: 1, channels: 1, pixels: [UInt8(i)])).write(to: url)
        }
        let images = try ImageFolder.load(folder.url)
        let list = try folder.write(Array("p.png, a/q.png, 2\n".utf8), to: "triplets.txt")
        let triplets = try TripletList.read(contentsOf: list, folder: images)
        #expect(triplets.count == 1)
        #expect(triplets.first.map { [$0.anchor, $0.positive, $0.negative] } == [0, 1, 2])
        try folder.write(Array("p.png, r.png, q.png\n".utf8), to: "triplets.txt")
        #expect(throws: TripletError.self) { try TripletList.read(contentsOf: list, folder: images) }
        #expect(try TripletList.read(contentsOf: list, folder: images, checkLabels: false).count == 1)
    }

    @Test func namesTheLineOfEveryMistake() {
        #expect(failure("0,1,3\n0,1\n") == "line 2: 2 field(s), expected 3: anchor, positive, negative")
        #expect(failure("0,1,3,4") == "line 1: 4 field(s), expected 3: anchor, positive, negative")
        #expect(failure("# c\n0,1,6") == "line 2: the negative index 6 is out of range: the samples are 0..<6")
        #expect(failure("-1,1,2")?.contains("line 1: the anchor index -1 is out of range") == true)
        #expect(failure("0,,2") == "line 1: the positive is empty")
        #expect(
            failure("0,1,cat.png")
                == "line 1: the negative 'cat.png' is not a sample index, and no file list was given to look names up in"
        )
        #expect(
            failure("0,1,bird/1.png", files: files)
                == "line 1: the negative 'bird/1.png' is no sample: neither a listed file nor a sample index")
        let ambiguous = failure("1.png,1,2", files: files)
        #expect(ambiguous?.hasPrefix("line 1: the anchor '1.png' is the name of 2 files: give its path") == true)
        #expect(failure("# nothing\n\n   \n") == "no triplets: expected lines of anchor, positive, negative")
        #expect(failure("") == "no triplets: expected lines of anchor, positive, negative")
    }

    @Test func checksLabelsWhenGiven() throws {
        #expect(try parse("0,1,3", files: files, labels: labels) == [[0, 1, 3]])
        #expect(
            failure("0,3,4", labels: labels)?.contains("line 1: the anchor (sample 0, label 0) and the positive")
                == true)
        #expect(failure("0,1,2", labels: labels)?.contains("have the same label 0") == true)
        #expect(throws: TripletError.self) { try parse("0,1,3", labels: [0, 1]) }
        #expect(throws: TripletError.self) { try parse("0,1,3", files: ["a.png"]) }
    }
}
