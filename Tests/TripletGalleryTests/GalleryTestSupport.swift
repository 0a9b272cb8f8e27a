import Foundation
import TripletCore
import TripletEvaluation

@testable import TripletGallery

/// A fresh temporary folder for one test.
func temporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("gallery-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// A unit vector along axis `axis` of width `d`, nudged by `noise` on the next axis.
func axis(_ axis: Int, _ d: Int, noise: Float = 0) -> [Float] {
    var v = [Float](repeating: 0, count: d)
    v[axis % d] = 1
    v[(axis + 1) % d] = noise
    return v
}

/// A new gallery file in a fresh folder.
func makeGallery(
    dimension: Int = 4, fingerprint: String = "model-a", templates: GalleryTemplates = .allSamples,
    metric: KNNMetric = .euclidean
) throws -> Gallery {
    try Gallery(
        path: try temporaryFolder().appendingPathComponent("g.sqlite"), fingerprint: fingerprint,
        dimension: dimension, metric: metric, templates: templates)
}
