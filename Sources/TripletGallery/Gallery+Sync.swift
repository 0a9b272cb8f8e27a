import GRDB
import TripletCore

extension Gallery {
    /// The in-memory copy and calibration, reloaded first when the database has been written since they
    /// were made (by another process, or another `Gallery` on the same file): one indexed lookup per call.
    func current() throws -> (memory: GalleryMemory, calibration: GalleryCalibration?) {
        let stored = try read { db in try GallerySchema.generation(db) }
        let snapshot = lock.withLock { (memory: memory, calibration: storedCalibration, generation: generation) }
        if stored == snapshot.generation { return (snapshot.memory, snapshot.calibration) }
        try reload()
        return lock.withLock { (memory, storedCalibration) }
    }

    /// A write transaction that also counts the write in the database's generation; then `update` brings
    /// the memory copy and calibration in step — or, when another writer came in between or `update` fails,
    /// a full reload from the committed database does. Callers hold `writeLock`; SQLite's errors become
    /// `corruptFile`.
    @discardableResult
    func write<T>(
        _ body: (Database) throws -> T,
        update: (inout GalleryMemory, inout GalleryCalibration?, T) throws -> Void
    ) throws -> T {
        let known = lock.withLock { generation }
        let (result, stored) = try mapDatabaseErrors {
            try pool.write { db -> (T, Int64) in
                let stored = try GallerySchema.generation(db)
                let result = try body(db)
                try GallerySchema.writeMeta(db, "generation", "\(stored + 1)")
                return (result, stored)
            }
        }
        let applied = lock.withLock { () -> Bool in
            guard stored == known, generation == known else { return false }
            do { try update(&memory, &storedCalibration, result) } catch { return false }
            generation = stored + 1
            return true
        }
        if !applied { try reload() }
        return result
    }

    /// A read transaction, SQLite's errors turned into `corruptFile`.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        try mapDatabaseErrors { try pool.read(body) }
    }

    /// Runs `body`, turning SQLite's errors into `corruptFile` (a gallery's own errors pass through).
    func mapDatabaseErrors<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError {
            throw TripletError.corruptFile(path: path.path, reason: error.message ?? "\(error.resultCode)")
        }
    }
}
