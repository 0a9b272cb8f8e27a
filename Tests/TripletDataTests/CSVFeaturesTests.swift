import Foundation
import Testing

@testable import TripletCore
@testable import TripletData

@Suite("CSV features")
struct CSVFeaturesTests {
    func parse(
        _ text: String, label: CSVLabelColumn = .last, header: CSVHeader = .automatic, delimiter: Character = ","
    ) throws -> CSVFeatures {
        try CSVFeatures.parse(Array(text.utf8), source: "t.csv", label: label, header: header, delimiter: delimiter)
    }

    @Test func readsAHeaderAndIntegerLabels() throws {
        let csv = try parse("a,b,label\n1,2.5,0\n-3, 4e1 ,7\n\n")
        #expect(csv.dataset.inputs == (try Tensor(shape: [2, 2], scalars: [1, 2.5, -3, 40])))
        #expect(csv.dataset.labels == [0, 7])
        #expect(csv.featureNames == ["a", "b"])
        #expect(csv.classNames == nil)
    }

    @Test func picksTheLabelColumnByNameOrIndex() throws {
        let text = "species,x,y\r\nsetosa,1,2\r\nvirginica,3,4\r\nsetosa,5,6\r\n"
        for csv in [try parse(text, label: .name("species")), try parse(text, label: .index(0))] {
            #expect(csv.dataset.inputs.shape == [3, 2])
            #expect(csv.dataset.inputs.scalars == [1, 2, 3, 4, 5, 6])
            #expect(csv.dataset.labels == [0, 1, 0])
            #expect(csv.classNames == ["setosa", "virginica"])
            #expect(csv.featureNames == ["x", "y"])
        }
    }

    @Test func readsFilesWithoutAHeader() throws {
        let csv = try parse("1\t2\t3.0\n4\t5\t1\n", delimiter: "\t")
        #expect(csv.dataset.labels == [3, 1])
        #expect(csv.featureNames == ["column 0", "column 1"])
        let forced = try parse("1,2,3\n4,5,6\n", header: .present)
        #expect(forced.dataset.count == 1)
        #expect(forced.featureNames == ["1", "2"])
    }

    @Test func handlesQuotedFields() throws {
        let csv = try parse("\"x, first\",label\n1,\"class \"\"a\"\", b\"\n2,plain\n")
        #expect(csv.featureNames == ["x, first"])
        #expect(csv.classNames == ["class \"a\", b", "plain"])
    }

    @Test func readsAFile() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let file = try folder.write(Array("f,l\n0.5,1\n".utf8), to: "d.csv")
        #expect(try CSVFeatures.read(contentsOf: file).dataset.inputs.scalars == [0.5])
        let missing = corruptReason {
            _ = try CSVFeatures.read(contentsOf: folder.url.appendingPathComponent("no.csv"))
        }
        #expect(missing?.reason == "no such file")
    }

    @Test func namesTheLineOfBadValues() {
        let cases: [(String, String)] = [
            ("a,b,l\n1,2,0\n1,x,1\n", "line 3: column 1 ('b') 'x' is not a number"),
            ("a,b,l\n1,2,0\n\n1,,1\n", "line 4: column 1 ('b') is empty"),
            ("a,b,l\n1,2,0\n1,nan,1\n", "line 3: column 1 ('b') 'nan' is not a finite number"),
            ("a,b,l\n1,2,0\n1,2\n", "line 3: 2 fields, expected 3 (as on line 1)"),
            ("a,b,l\n1,2,0,9\n", "line 2: 4 fields, expected 3 (as on line 1)"),
            ("a,b,l\n1,2,\n", "line 2: the label ('l') is empty"),
            ("a,b,l\n1,\"2,0\n", "line 2: a quoted field is not closed"),
            ("", "no rows"),
            ("a,b,l\n", "no data rows"),
            ("1\n2\n", "line 1: one column only"),
        ]
        for (text, expected) in cases {
            let failure = corruptReason { _ = try parse(text) }
            #expect(failure?.path == "t.csv")
            #expect(failure?.reason.contains(expected) == true, "\(expected): \(String(describing: failure))")
        }
    }

    @Test func rejectsALabelColumnTheFileLacks() {
        #expect(throws: TripletError.self) { try parse("a,b\n1,2\n", label: .index(2)) }
        #expect(throws: TripletError.self) { try parse("a,b\n1,2\n", label: .name("c")) }
        #expect(throws: TripletError.self) { try parse("a,b\n1,2\n", label: .name("a"), header: .absent) }
        #expect(throws: TripletError.self) { try parse("a,b\n1,2\n", delimiter: "é") }
    }
}
