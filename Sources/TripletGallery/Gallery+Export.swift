import Foundation
import TripletCore
import TripletData

extension Gallery {
    /// Writes the gallery to `folder` (created if needed): `embeddings.npy` (every sample, `[n, dimension]`
    /// float32), `identities.npy` (the identity id of each row) and `identities.json` (the identities,
    /// the fingerprint, dimension, metric and calibration).
    public func export(to folder: URL) throws {
        let (snapshot, calibration) = try current()
        // The samples are stored grouped by identity in id order already.
        let rows = snapshot.sampleRows, owners = snapshot.sampleOwners.map { Int($0) }
        let identities = snapshot.identities.values.sorted { $0.id < $1.id }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try NPY.write(
            try Tensor(shape: [owners.count, dimension], scalars: rows),
            to: folder.appendingPathComponent("embeddings.npy"))
        try NPY.write(labels: owners, to: folder.appendingPathComponent("identities.npy"))
        let summary = GalleryExport(
            fingerprint: fingerprint, dimension: dimension, metric: metric.rawValue, calibration: calibration,
            identities: identities)
        // snake_case keys (sample_count, false_accept_rate); metadata keys are the user's, written as given.
        try JSONFiles.write(summary, to: folder.appendingPathComponent("identities.json"))
    }
}

/// The JSON side of an export.
struct GalleryExport: Codable {
    let fingerprint: String
    let dimension: Int
    let metric: String
    let calibration: GalleryCalibration?
    let identities: [GalleryIdentity]
}
