import Testing
import TripletCore

@Suite("Tensor")
struct TensorTests {
    @Test func initKeepsShapeAndScalars() throws {
        let t = try Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        #expect(t.shape == [2, 3])
        #expect(t.rowCount == 2 && t.rowWidth == 3)
        #expect(t[1, 2] == 6)
        #expect(t.row(1) == [4, 5, 6])
    }

    @Test(arguments: [[2, 3], [7], [2, 2, 2], [0, 3]])
    func countMismatchThrowsShapeMismatch(shape: [Int]) {
        let error = #expect(throws: TripletError.self) {
            _ = try Tensor(shape: shape, scalars: [1, 2, 3, 4, 5])
        }
        guard case .shapeMismatch(_, let got)? = error else {
            Issue.record("expected .shapeMismatch, got \(String(describing: error))")
            return
        }
        #expect(got == shape)
    }

    @Test(arguments: [[-1, 3], [2, -3], [-2, -2]])
    func negativeDimensionThrows(shape: [Int]) {
        // [-1, 3] and [-2, -2] have element counts (-3 and 4) that could be matched by accident.
        for count in [0, 3, 4, 6] {
            let error = #expect(throws: TripletError.self) {
                _ = try Tensor(shape: shape, scalars: [Float](repeating: 0, count: count))
            }
            guard case .invalidParameter(let name, _, _)? = error else {
                Issue.record("expected .invalidParameter for \(shape), got \(String(describing: error))")
                continue
            }
            #expect(name == "shape")
        }
    }

    @Test func raggedRowsThrow() throws {
        #expect(throws: TripletError.self) { _ = try Tensor(rows: [[1, 2], [3]]) }
        let t = try Tensor(rows: [[1, 2], [3, 4], [5, 6]])
        #expect(t.shape == [3, 2] && t.scalars == [1, 2, 3, 4, 5, 6])
    }

    @Test func zerosAndRepeating() throws {
        #expect(Tensor.zeros([2, 4]).scalars == [Float](repeating: 0, count: 8))
        #expect(try Tensor(repeating: 3, shape: [3, 1]).scalars == [3, 3, 3])
        #expect(throws: TripletError.self) { _ = try Tensor(repeating: 0, shape: [2, -1]) }
    }

    @Test func copyOnWriteValueSemantics() throws {
        let original = try Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])
        var copy = original
        copy[0, 1] = 42
        #expect(original[0, 1] == 2)
        #expect(copy[0, 1] == 42)
        #expect(original != copy)
        var other = copy
        other.scalars[3] = -1
        #expect(copy.scalars == [1, 42, 3, 4])
        #expect(other.scalars == [1, 42, 3, -1])
    }

    // MARK: validateEmbeddings

    @Test(arguments: [[6], [1, 2, 3], [1, 1, 1, 6]])
    func validateRejectsNonMatrix(shape: [Int]) throws {
        let t = try Tensor(shape: shape, scalars: [Float](repeating: 1, count: 6))
        #expect(throws: TripletError.shapeMismatch(expected: "[B, D]", got: shape)) { try t.validateEmbeddings() }
    }

    @Test func validateRejectsScalarShape() throws {
        let t = try Tensor(shape: [], scalars: [1])
        #expect(throws: TripletError.self) { try t.validateEmbeddings() }
    }

    @Test func validateEmptyBatchAndZeroDimension() throws {
        #expect(throws: TripletError.emptyBatch) { try Tensor(shape: [0, 4], scalars: []).validateEmbeddings() }
        #expect(throws: TripletError.emptyBatch) { try Tensor(shape: [0, 0], scalars: []).validateEmbeddings() }
        #expect(throws: TripletError.zeroDimension) { try Tensor(shape: [3, 0], scalars: []).validateEmbeddings() }
    }

    @Test(arguments: [Float.nan, .infinity, -.infinity])
    func validateReportsFirstNonFiniteValue(bad: Float) throws {
        var t = try Tensor(shape: [3, 4], scalars: (0..<12).map(Float.init))
        t[2, 1] = bad
        t[2, 3] = .nan  // a later one must not be the one reported
        #expect(throws: TripletError.nonFiniteValue(what: "embeddings", row: 2, column: 1)) {
            try t.validateEmbeddings()
        }
        #expect(throws: TripletError.nonFiniteValue(what: "anchors", row: 2, column: 1)) {
            try t.validateEmbeddings("anchors")
        }
        var first = try Tensor(shape: [2, 5], scalars: [Float](repeating: 1, count: 10))
        first[0, 0] = bad
        #expect(throws: TripletError.nonFiniteValue(what: "embeddings", row: 0, column: 0)) {
            try first.validateEmbeddings()
        }
    }

    @Test func validateAcceptsFiniteMatrix() throws {
        try Tensor(shape: [1, 1], scalars: [-Float.greatestFiniteMagnitude]).validateEmbeddings()
        try Tensor(shape: [2, 3], scalars: [0, 1, 2, 3, 4, .leastNonzeroMagnitude]).validateEmbeddings()
    }
}
