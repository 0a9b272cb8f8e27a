import Foundation
import GRDB
import TripletCore

extension Gallery {
    /// Enrolls a new identity with its embeddings (`[n, dimension]`, n ≥ 1), all rows in one transaction:
    /// a crash leaves the gallery as it was before or after, never half. Returns the identity's id.
    @discardableResult
    public func enroll(name: String, embeddings: Tensor, metadata: [String: String] = [:]) throws -> Int64 {
        try Self.checkName(name)
        try validate(embeddings)
        let prepared = try lock.withLock { try memory.prepareTemplates(embeddings) }
        let json = String(decoding: try JSONEncoder().encode(metadata), as: UTF8.self)
        // Rounded as the database stores it, so the memory copy equals a reopened one.
        let created = Date(timeIntervalSince1970: Date().timeIntervalSince1970)
        let dimension = dimension
        return try writeLock.withLock {
            try write { db in
                guard try Row.fetchOne(db, sql: "SELECT 1 FROM identities WHERE name = ?", arguments: [name]) == nil
                else { throw TripletError.duplicateName(name) }
                try db.execute(
                    sql: "INSERT INTO identities(name, created, metadata) VALUES (?, ?, ?)",
                    arguments: [name, created.timeIntervalSince1970, json])
                let id = db.lastInsertedRowID
                for r in 0..<embeddings.rowCount {
                    let blob = VectorBlob.encode(embeddings.scalars[r * dimension..<(r + 1) * dimension])
                    try db.execute(
                        sql: "INSERT INTO embeddings(identity_id, vector) VALUES (?, ?)", arguments: [id, blob])
                }
                return id
            } update: { memory, _, id in
                let identity = GalleryIdentity(
                    id: id, name: name, created: created, metadata: metadata, sampleCount: embeddings.rowCount)
                try memory.append(identity, samples: embeddings, templates: prepared)
            }
        }
    }

    /// Enrolls from rows of floats; see `enroll(name:embeddings:metadata:)`.
    @discardableResult
    public func enroll(name: String, embeddings rows: [[Float]], metadata: [String: String] = [:]) throws -> Int64 {
        try enroll(name: name, embeddings: try tensor(rows), metadata: metadata)
    }

    /// Removes an identity and its embeddings; throws `unknownIdentity` when there is none.
    public func remove(identity name: String) throws {
        try writeLock.withLock {
            let id = try identity(named: name).id
            try write { db in
                try db.execute(sql: "DELETE FROM identities WHERE id = ?", arguments: [id])
            } update: { memory, _, _ in
                try memory.remove(id)
            }
        }
    }

    /// Renames an identity; throws `unknownIdentity` or `duplicateName`.
    public func rename(_ name: String, to newName: String) throws {
        try Self.checkName(newName)
        try writeLock.withLock {
            let id = try identity(named: name).id
            if newName == name { return }
            try write { db in
                guard try Row.fetchOne(db, sql: "SELECT 1 FROM identities WHERE name = ?", arguments: [newName]) == nil
                else { throw TripletError.duplicateName(newName) }
                try db.execute(sql: "UPDATE identities SET name = ? WHERE id = ?", arguments: [newName, id])
            } update: { memory, _, _ in
                memory.rename(id, to: newName)
            }
        }
    }

    /// Throws unless a name has a character other than white space.
    static func checkName(_ name: String) throws {
        guard name.contains(where: { !$0.isWhitespace }) else {
            throw TripletError.invalidParameter(
                name: "name", value: "\"\(name)\"", expected: "a name with at least one visible character")
        }
    }

    /// Checks a batch of embeddings: `[n ≥ 1, dimension]`, finite.
    func validate(_ embeddings: Tensor) throws {
        guard embeddings.shape.count == 2, embeddings.rowCount >= 1 else {
            throw TripletError.invalidParameter(
                name: "embeddings", value: "\(embeddings.shape)", expected: "[n >= 1, \(dimension)]")
        }
        guard embeddings.rowWidth == dimension else {
            throw TripletError.dimensionMismatch(expected: dimension, got: embeddings.rowWidth)
        }
        if let bad = embeddings.scalars.firstIndex(where: { !$0.isFinite }) {
            throw TripletError.nonFiniteValue(what: "embeddings", row: bad / dimension, column: bad % dimension)
        }
    }

    /// Rows of floats as a tensor, with the gallery's checks.
    func tensor(_ rows: [[Float]]) throws -> Tensor {
        if let bad = rows.first(where: { $0.count != dimension }) {
            throw TripletError.dimensionMismatch(expected: dimension, got: bad.count)
        }
        return try Tensor(shape: [rows.count, dimension], scalars: rows.flatMap { $0 })
    }
}
