import GRDB
import TripletCore

/// The gallery's tables: identities, their embeddings, and the key/value meta table.
enum GallerySchema {
    /// Creates the tables of a new gallery; a no-op on an existing one.
    static func migrator() -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE identities (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        name TEXT NOT NULL UNIQUE,
                        created DOUBLE NOT NULL,
                        metadata TEXT NOT NULL DEFAULT '{}'
                    );
                    CREATE TABLE embeddings (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        identity_id INTEGER NOT NULL REFERENCES identities(id) ON DELETE CASCADE,
                        vector BLOB NOT NULL
                    );
                    CREATE INDEX embeddings_identity ON embeddings(identity_id);
                    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                    """)
        }
        return migrator
    }

    /// Throws `corruptFile` for an SQLite database of something else (tables, but not the gallery's), which
    /// opening would otherwise add the gallery's tables to.
    static func checkIsGalleryOrEmpty(_ db: Database, path: String) throws {
        let tables = try String.fetchAll(
            db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        guard tables.isEmpty || tables.contains("grdb_migrations") else {
            throw TripletError.corruptFile(
                path: path,
                reason:
                    "an SQLite database of something else (tables \(tables.joined(separator: ", "))), not a gallery: "
                    + "give a gallery file or a new path")
        }
    }

    /// The meta table as a dictionary.
    static func readMeta(_ db: Database) throws -> [String: String] {
        var meta: [String: String] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT key, value FROM meta") {
            let key: String = row["key"]
            let value: String = row["value"]
            meta[key] = value
        }
        return meta
    }

    /// The number of writes the database has seen (its "generation" meta value; 0 for a new one).
    static func generation(_ meta: [String: String]) -> Int64 { meta["generation"].flatMap { Int64($0) } ?? 0 }

    /// The generation alone, one indexed lookup.
    static func generation(_ db: Database) throws -> Int64 {
        try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'generation'").flatMap { Int64($0) } ?? 0
    }

    /// Sets one meta value.
    static func writeMeta(_ db: Database, _ key: String, _ value: String) throws {
        try db.execute(
            sql: "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            arguments: [key, value])
    }
}
