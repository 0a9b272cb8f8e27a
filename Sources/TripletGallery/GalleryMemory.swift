import TripletCore
import TripletEvaluation

/// The in-memory copy of the database that the search scans: every identity, all samples in one
/// contiguous row-major buffer (identities in id order, each one's rows together), and the search's
/// templates (the samples themselves, or one re-normalised mean per identity), prepared for the k-NN
/// search (checked, with their norms), with the identity of each row. Enrolment appends rows (amortised
/// growth); removal compacts in place; nothing is rebuilt whole.
struct GalleryMemory: Sendable, Equatable {
    /// The embedding width.
    let dimension: Int
    /// How identities are represented in `templates`.
    let mode: GalleryTemplates
    /// The search's references: the samples, or the means (`normalizedMean`), identities in id order.
    private(set) var templates: KNNReferences
    /// Identities by id.
    private(set) var identities: [Int64: GalleryIdentity] = [:]
    /// Identity ids by name.
    private(set) var ids: [String: Int64] = [:]
    /// Every sample, row-major, identities in id order.
    private(set) var sampleRows: [Float] = []
    /// The identity of each sample row.
    private(set) var sampleOwners: [Int64] = []
    /// The identity of each mean row (`normalizedMean` only).
    private var meanOwners: [Int64] = []
    /// The most template rows any one identity has.
    private(set) var maxTemplatesPerIdentity = 0

    /// An empty copy; throws for a dimension below 1.
    init(dimension: Int, mode: GalleryTemplates, metric: KNNMetric) throws {
        self.dimension = dimension
        self.mode = mode
        templates = try KNNReferences(width: dimension, metric: metric)
    }

    /// The identity of each template row.
    var templateOwners: [Int64] { mode == .allSamples ? sampleOwners : meanOwners }

    /// The template rows of new samples (`[n ≥ 1, dimension]`), prepared for the search: made before
    /// the database write, so that a failure (a non-finite mean, say) leaves both untouched.
    func prepareTemplates(_ samples: Tensor) throws -> KNNReferences {
        let rows =
            mode == .allSamples
            ? samples
            : try Tensor(
                shape: [1, dimension], scalars: Self.normalizedMean(samples.scalars[...], dimension: dimension))
        return try KNNReferences(rows, metric: templates.metric)
    }

    /// Appends a new identity, whose id must be larger than every stored one (the database's
    /// AUTOINCREMENT guarantees it), with its samples and their `prepareTemplates`.
    mutating func append(_ identity: GalleryIdentity, samples: Tensor, templates prepared: KNNReferences) throws {
        try templates.append(contentsOf: prepared)
        let n = samples.rowCount
        identities[identity.id] = identity
        ids[identity.name] = identity.id
        sampleRows.append(contentsOf: samples.scalars)
        sampleOwners.append(contentsOf: repeatElement(identity.id, count: n))
        if mode == .normalizedMean {
            meanOwners.append(identity.id)
            maxTemplatesPerIdentity = 1
        } else {
            maxTemplatesPerIdentity = max(maxTemplatesPerIdentity, n)
        }
    }

    /// Appends the identities of a freshly loaded database whose samples are already in `rows`
    /// (`owners[i]` the identity of row i, grouped by identity in id order). Throws when a stored row
    /// cannot be searched (a non-finite entry).
    mutating func load(_ loaded: [GalleryIdentity], rows: [Float], owners: [Int64]) throws {
        sampleRows = rows
        sampleOwners = owners
        for identity in loaded {
            identities[identity.id] = identity
            ids[identity.name] = identity.id
        }
        try recomputeTemplates()
    }

    /// Drops an identity, closing the gap its rows leave.
    mutating func remove(_ id: Int64) throws {
        guard let identity = identities.removeValue(forKey: id) else { return }
        ids[identity.name] = nil
        if let range = rows(of: id) {
            sampleRows.removeSubrange(range.lowerBound * dimension..<range.upperBound * dimension)
            sampleOwners.removeSubrange(range)
            if mode == .allSamples { try templates.removeRows(range) }
        }
        if mode == .normalizedMean {
            if let row = meanOwners.firstIndex(of: id) {
                try templates.removeRows(row..<row + 1)
                meanOwners.remove(at: row)
            }
            maxTemplatesPerIdentity = identities.isEmpty ? 0 : 1
        } else if identity.sampleCount >= maxTemplatesPerIdentity {
            maxTemplatesPerIdentity = identities.values.map(\.sampleCount).max() ?? 0
        }
    }

    /// Changes an identity's name.
    mutating func rename(_ id: Int64, to name: String) {
        guard let old = identities[id]?.name else { return }
        ids[old] = nil
        ids[name] = id
        identities[id]?.name = name
    }

    /// The identity with this name.
    func identity(named name: String) -> GalleryIdentity? {
        ids[name].flatMap { identities[$0] }
    }

    /// The sample rows of one identity (a range of row indices), nil when it has none.
    func rows(of id: Int64) -> Range<Int>? {
        // Rows are grouped by identity in id order: binary search the first row of `id` and the next.
        let lower = sampleOwners.partitionPoint { $0 >= id }
        let upper = sampleOwners.partitionPoint { $0 > id }
        return lower < upper ? lower..<upper : nil
    }

    /// The samples of one identity, row-major.
    func samples(of id: Int64) -> ArraySlice<Float> {
        guard let range = rows(of: id) else { return [] }
        return sampleRows[range.lowerBound * dimension..<range.upperBound * dimension]
    }

    /// The template rows of one identity.
    func templates(of id: Int64) -> [Float] {
        let rows = samples(of: id)
        return mode == .normalizedMean ? Self.normalizedMean(rows, dimension: dimension) : Array(rows)
    }

    /// The number of samples of one identity.
    func count(of id: Int64) -> Int { rows(of: id)?.count ?? 0 }

    /// Recomputes the templates and `maxTemplatesPerIdentity` from the samples (after a load).
    private mutating func recomputeTemplates() throws {
        templates = try KNNReferences(width: dimension, metric: templates.metric)
        meanOwners = []
        maxTemplatesPerIdentity = 0
        var meanRows: [Float] = []
        var start = 0
        while start < sampleOwners.count {
            let id = sampleOwners[start]
            var end = start + 1
            while end < sampleOwners.count && sampleOwners[end] == id { end += 1 }
            maxTemplatesPerIdentity = max(maxTemplatesPerIdentity, end - start)
            if mode == .normalizedMean {
                let rows = sampleRows[start * dimension..<end * dimension]
                meanRows.append(contentsOf: Self.normalizedMean(rows, dimension: dimension))
                meanOwners.append(id)
            }
            start = end
        }
        if mode == .normalizedMean { maxTemplatesPerIdentity = meanOwners.isEmpty ? 0 : 1 }
        let rows = mode == .allSamples ? sampleRows : meanRows
        if !rows.isEmpty { try templates.append(Tensor(shape: [rows.count / dimension, dimension], scalars: rows)) }
    }

    /// The mean of row-major rows, scaled back to unit length (left as is when zero).
    static func normalizedMean(_ rows: ArraySlice<Float>, dimension: Int) -> [Float] {
        let n = rows.count / dimension
        let base = rows.startIndex
        var mean = [Float](repeating: 0, count: dimension)
        for r in 0..<n {
            for c in 0..<dimension { mean[c] += rows[base + r * dimension + c] }
        }
        var norm: Float = 0
        for c in 0..<dimension {
            mean[c] /= Float(max(n, 1))
            norm += mean[c] * mean[c]
        }
        norm = norm.squareRoot()
        return norm > 0 ? mean.map { $0 / norm } : mean
    }
}

extension Array {
    /// The first index whose element satisfies `predicate`, for an array partitioned so that every
    /// element failing it comes first.
    func partitionPoint(_ predicate: (Element) -> Bool) -> Int {
        var low = 0, high = count
        while low < high {
            let mid = (low + high) / 2
            if predicate(self[mid]) { high = mid } else { low = mid + 1 }
        }
        return low
    }
}
