import Foundation
import GRDB
import TripletCore
import TripletEvaluation

/// An open-set gallery in one SQLite file (WAL mode): identities and their embeddings, the fingerprint
/// of the model that made them, the dimension, the metric and the calibrated threshold. The database is
/// the truth; an in-memory copy, rebuilt from it on open and kept in step on every write, is what
/// `identify` and `verify` search. Safe to use from several threads (readers run concurrently, writers
/// one at a time) and from several processes: a write by another one is seen by the next read.
///
/// ```swift
/// let gallery = try Gallery(path: url, fingerprint: model.fingerprint, dimension: 64)
/// let id = try gallery.enroll(name: "ada", embeddings: samples)
/// let answer = try gallery.identify(query, k: 3)
/// ```
public final class Gallery: @unchecked Sendable {
    /// The database file.
    public let path: URL
    /// The fingerprint of the model whose embeddings the gallery holds.
    public let fingerprint: String
    /// The embedding width.
    public let dimension: Int
    /// How distances are measured.
    public let metric: KNNMetric
    /// How identities are represented in the search.
    public let templates: GalleryTemplates

    let pool: DatabasePool
    /// Guards `memory`, `storedCalibration` and `generation`.
    let lock = NSLock()
    /// Serialises this object's writers so the memory copy follows the database's order of commits.
    let writeLock = NSLock()
    var memory: GalleryMemory
    var storedCalibration: GalleryCalibration?
    /// The database's write count that `memory` and `storedCalibration` reflect (-1: not loaded).
    var generation: Int64 = -1

    /// Opens the gallery at `path`, creating it when the file does not exist. Throws
    /// `fingerprintMismatch` when it was built by another model, `settingsMismatch` for another
    /// dimension or metric, and `corruptFile` when the file is not a gallery.
    public init(
        path: URL, fingerprint: String, dimension: Int, metric: KNNMetric = .euclidean,
        templates: GalleryTemplates = .allSamples
    ) throws {
        guard dimension >= 1 else {
            throw TripletError.invalidParameter(name: "dimension", value: "\(dimension)", expected: ">= 1")
        }
        guard !fingerprint.isEmpty else {
            throw TripletError.invalidParameter(name: "fingerprint", value: "\"\"", expected: "a non-empty string")
        }
        self.path = path
        self.fingerprint = fingerprint
        self.dimension = dimension
        self.metric = metric
        self.templates = templates
        memory = try GalleryMemory(dimension: dimension, mode: templates, metric: metric)
        do {
            var configuration = Configuration()
            configuration.busyMode = .timeout(10)
            pool = try DatabasePool(path: path.path, configuration: configuration)
            try pool.read { db in try GallerySchema.checkIsGalleryOrEmpty(db, path: path.path) }
            try GallerySchema.migrator().migrate(pool)
            try pool.write { db in try Self.checkOrStoreSettings(db, fingerprint, dimension, metric) }
            try reload()
        } catch let error as DatabaseError {
            throw TripletError.corruptFile(path: path.path, reason: error.message ?? "\(error.resultCode)")
        }
    }

    /// Stores the settings of a new gallery, or compares an existing one's with the caller's.
    static func checkOrStoreSettings(
        _ db: Database, _ fingerprint: String, _ dimension: Int, _ metric: KNNMetric
    ) throws {
        let meta = try GallerySchema.readMeta(db)
        guard let stored = meta["fingerprint"] else {
            try GallerySchema.writeMeta(db, "fingerprint", fingerprint)
            try GallerySchema.writeMeta(db, "dimension", "\(dimension)")
            try GallerySchema.writeMeta(db, "metric", metric.rawValue)
            return
        }
        guard stored == fingerprint else { throw TripletError.fingerprintMismatch(stored: stored, given: fingerprint) }
        let storedDimension = meta["dimension"] ?? "?"
        guard storedDimension == "\(dimension)" else {
            throw TripletError.settingsMismatch(name: "dimension", stored: storedDimension, given: "\(dimension)")
        }
        let storedMetric = meta["metric"] ?? "?"
        guard storedMetric == metric.rawValue else {
            throw TripletError.settingsMismatch(name: "metric", stored: storedMetric, given: metric.rawValue)
        }
    }

    /// Rebuilds the in-memory copy from the database: every embedding in one query, grouped by identity
    /// in id order, each BLOB decoded straight into one contiguous buffer.
    func reload() throws {
        var fresh = try GalleryMemory(dimension: dimension, mode: templates, metric: metric)
        let dimension = dimension, path = path
        let (calibration, identities, rows, owners, loaded) = try read { db in
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM embeddings") ?? 0
            var rows = [Float](), owners = [Int64]()
            rows.reserveCapacity(total * dimension)
            owners.reserveCapacity(total)
            let cursor = try Row.fetchCursor(
                db, sql: "SELECT identity_id, vector FROM embeddings ORDER BY identity_id, id")
            while let row = try cursor.next() {
                let owner: Int64 = row[0]
                let size = try row.withUnsafeData(atIndex: 1) { blob -> Int? in
                    guard let blob else { return 0 }
                    return VectorBlob.decode(blob, dimension: dimension, into: &rows) ? nil : blob.count
                }
                if let size {
                    throw TripletError.corruptFile(
                        path: path.path, reason: "an embedding of \(size) bytes, not \(dimension * 4)")
                }
                owners.append(owner)
            }
            var counts: [Int64: Int] = [:]
            for owner in owners { counts[owner, default: 0] += 1 }
            let identities = try Row.fetchAll(db, sql: "SELECT id, name, created, metadata FROM identities ORDER BY id")
                .map { row in
                    let id: Int64 = row["id"]
                    return GalleryIdentity(
                        id: id, name: row["name"], created: Date(timeIntervalSince1970: row["created"]),
                        metadata: Self.decodeMetadata(row["metadata"]), sampleCount: counts[id] ?? 0)
                }
            let meta = try GallerySchema.readMeta(db)
            return (Self.calibration(from: meta), identities, rows, owners, GallerySchema.generation(meta))
        }
        do {
            try fresh.load(identities, rows: rows, owners: owners)
        } catch let error as TripletError {
            throw TripletError.corruptFile(path: path.path, reason: "an embedding that cannot be searched: \(error)")
        }
        lock.withLock {
            // A reload that raced with a newer one (or a newer write) never takes the copy back in time.
            guard loaded >= generation else { return }
            memory = fresh
            storedCalibration = calibration
            generation = loaded
        }
    }

    /// The calibration stored in the meta table, if any.
    static func calibration(from meta: [String: String]) -> GalleryCalibration? {
        guard let t = meta["threshold"].flatMap(Double.init), let far = meta["far"].flatMap(Double.init),
            let tar = meta["tar"].flatMap(Double.init)
        else { return nil }
        let basis = meta["basis"].flatMap(GalleryCalibration.Basis.init(rawValue:)) ?? .pairs
        return GalleryCalibration(threshold: t, falseAcceptRate: far, trueAcceptRate: tar, basis: basis)
    }

    /// Metadata JSON back to a dictionary (empty when unreadable).
    static func decodeMetadata(_ text: String) -> [String: String] {
        (try? JSONDecoder().decode([String: String].self, from: Data(text.utf8))) ?? [:]
    }

    /// The calibrated threshold with the rates it achieved, nil before `calibrate`.
    public var calibration: GalleryCalibration? {
        get throws { try current().calibration }
    }

    /// Every identity, by id.
    public func list() throws -> [GalleryIdentity] {
        try current().memory.identities.values.sorted { $0.id < $1.id }
    }

    /// The identity with this name; throws `unknownIdentity` when there is none.
    public func identity(named name: String) throws -> GalleryIdentity {
        guard let identity = try current().memory.identity(named: name) else {
            throw TripletError.unknownIdentity(name)
        }
        return identity
    }

    /// The stored embeddings of an identity, `[sampleCount, dimension]`.
    public func embeddings(of name: String) throws -> Tensor {
        let snapshot = try current().memory
        guard let id = snapshot.identity(named: name)?.id else { throw TripletError.unknownIdentity(name) }
        let rows = Array(snapshot.samples(of: id))
        return try Tensor(shape: [rows.count / dimension, dimension], scalars: rows)
    }
}
