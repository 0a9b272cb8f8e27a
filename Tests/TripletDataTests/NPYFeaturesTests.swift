import Foundation
import Testing

@testable import TripletCore
@testable import TripletData

@Suite("NPY features")
struct NPYFeaturesTests {
    @Test func readsFeaturesAndLabels() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let x = folder.url.appendingPathComponent("x.npy"), y = folder.url.appendingPathComponent("y.npy")
        let features = try Tensor(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6])
        try NPY.write(features, to: x)
        try NPY.write(labels: [4, 0, 4], to: y)
        let data = try NPYFeatures.read(features: x, labels: y)
        #expect(data.inputs == features)
        #expect(data.labels == [4, 0, 4])
        // Images [N, C, H, W], labels [N, 1] as floats (as sklearn and pandas often save them).
        let images = try Tensor(shape: [2, 1, 2, 2], scalars: (0..<8).map(Float.init))
        try NPY.write(images, to: x)
        try NPY.write(try Tensor(shape: [2, 1], scalars: [1, 0]), to: y)
        let imageData = try NPYFeatures.read(features: x, labels: y)
        #expect(imageData.inputs.shape == [2, 1, 2, 2] && imageData.labels == [1, 0])
    }

    @Test func rejectsMismatchedOrBadArrays() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let x = folder.url.appendingPathComponent("x.npy"), y = folder.url.appendingPathComponent("y.npy")
        func reason() -> (path: String, reason: String)? {
            corruptReason { _ = try NPYFeatures.read(features: x, labels: y) }
        }
        try NPY.write(try Tensor(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6]), to: x)
        #expect(reason()?.reason == "no such file")
        try NPY.write(labels: [0, 1], to: y)
        #expect(reason()?.path == y.path)
        #expect(reason()?.reason.contains("2 labels for the 3 samples") == true)
        try NPY.write(try Tensor(shape: [3], scalars: [0, 1.5, 2]), to: y)
        #expect(reason()?.reason.contains("label 1 is 1.5") == true)
        try NPY.write(integers: [0, 1, 2, 3, 4, 5], shape: [3, 2], to: y)
        #expect(reason()?.reason.contains("labels must be [N] or [N, 1]") == true)
        try NPY.write(labels: [0, 1, 2], to: y)
        try NPY.write(try Tensor(shape: [3], scalars: [1, 2, 3]), to: x)
        #expect(reason()?.path == x.path)
        #expect(reason()?.reason.contains("x.reshape(-1, 1)") == true)
        try NPY.write(try Tensor(shape: [3, 2], scalars: [1, 2, 3, .nan, 5, 6]), to: x)
        #expect(reason()?.reason.contains("sample 1 holds nan at element 1") == true)
        try NPY.write(try Tensor(shape: [3, 0], scalars: []), to: x)
        #expect(reason()?.reason.contains("no samples or no features") == true)
    }
}
