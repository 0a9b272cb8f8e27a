import TripletCore

/// The in-memory copy of the database that the search scans: every identity with its samples, and the
/// flattened templates (one row per sample, or one mean per identity) with the identity of each row.
struct GalleryMemory: Sendable {
    /// The embedding width.
    let dimension: Int
    /// How identities are represented in `templates`.
    let mode: GalleryTemplates
    /// Identities by id.
    private(set) var identities: [Int64: GalleryIdentity] = [:]
    /// Samples by identity id, row-major `sampleCount × dimension`.
    private(set) var samples: [Int64: [Float]] = [:]
    /// The search's references, row-major.
    private(set) var templates: [Float] = []
    /// The identity of each template row.
    private(set) var templateOwners: [Int64] = []
    /// The most template rows any one identity has.
    private(set) var maxTemplatesPerIdentity = 0

    init(dimension: Int, mode: GalleryTemplates) {
        self.dimension = dimension
        self.mode = mode
    }

    /// Adds (or replaces) an identity with its samples; call `rebuild` after a batch of changes.
    mutating func set(_ identity: GalleryIdentity, samples rows: [Float]) {
        identities[identity.id] = identity
        samples[identity.id] = rows
    }

    /// Drops an identity.
    mutating func remove(_ id: Int64) {
        identities[id] = nil
        samples[id] = nil
    }

    /// Changes an identity's name.
    mutating func rename(_ id: Int64, to name: String) {
        identities[id]?.name = name
    }

    /// The identity with this name.
    func identity(named name: String) -> GalleryIdentity? {
        identities.values.first { $0.name == name }
    }

    /// Recomputes `templates` and `templateOwners` from the samples, identities in id order.
    mutating func rebuild() {
        var rows: [Float] = [], owners: [Int64] = []
        for id in identities.keys.sorted() {
            rows.append(contentsOf: templates(of: id))
            owners.append(contentsOf: repeatElement(id, count: mode == .allSamples ? count(of: id) : 1))
        }
        templates = rows
        templateOwners = owners
        maxTemplatesPerIdentity =
            mode == .allSamples ? identities.keys.map { count(of: $0) }.max() ?? 0 : (identities.isEmpty ? 0 : 1)
    }

    /// The template rows of one identity.
    func templates(of id: Int64) -> [Float] {
        let rows = samples[id] ?? []
        guard mode == .normalizedMean else { return rows }
        let n = rows.count / dimension
        var mean = [Float](repeating: 0, count: dimension)
        for r in 0..<n {
            for c in 0..<dimension { mean[c] += rows[r * dimension + c] }
        }
        var norm: Float = 0
        for c in 0..<dimension {
            mean[c] /= Float(max(n, 1))
            norm += mean[c] * mean[c]
        }
        norm = norm.squareRoot()
        return norm > 0 ? mean.map { $0 / norm } : mean
    }

    /// The number of samples of one identity.
    func count(of id: Int64) -> Int { (samples[id]?.count ?? 0) / dimension }
}
