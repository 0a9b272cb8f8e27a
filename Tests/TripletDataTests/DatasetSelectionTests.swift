import Testing

@testable import TripletCore
@testable import TripletData

@Suite("Dataset subsets and class splits")
struct DatasetSelectionTests {
    /// Six 1×2 "images": sample i holds (i, −i), label i mod 3.
    let data = try! Dataset(
        inputs: Tensor(shape: [6, 1, 2], scalars: (0..<6).flatMap { [Float($0), -Float($0)] }),
        labels: (0..<6).map { $0 % 3 })

    @Test func subsetKeepsOrderAndRepeats() throws {
        let picked = try data.subset([4, 1, 4])
        #expect(picked.inputs.shape == [3, 1, 2])
        #expect(picked.inputs.scalars == [4, -4, 1, -1, 4, -4])
        #expect(picked.labels == [1, 1, 1])
        #expect(try data.subset([]).inputs.shape == [0, 1, 2])
    }

    @Test func subsetRejectsOutOfRangeIndices() {
        #expect(throws: TripletError.indexOutOfRange(what: "sample", index: 6, count: 6)) { try data.subset([0, 6]) }
        #expect(throws: TripletError.indexOutOfRange(what: "sample", index: -1, count: 6)) { try data.subset([-1]) }
    }

    @Test func splitByClassesPartitionsTheSamples() {
        let (selected, rest) = data.split(byClasses: [0, 2, 7])
        #expect(selected.labels == [0, 2, 0, 2])
        #expect(selected.inputs.scalars == [0, 0, 2, -2, 3, -3, 5, -5])
        #expect(rest.labels == [1, 1])
        #expect(rest.inputs.scalars == [1, -1, 4, -4])
        #expect(Set(selected.classes).isDisjoint(with: rest.classes))
        #expect(data.classes == [0, 1, 2])
        let (none, all) = data.split(byClasses: [])
        #expect(none.count == 0 && none.inputs.shape == [0, 1, 2])
        #expect(all.labels == data.labels)
    }
}
