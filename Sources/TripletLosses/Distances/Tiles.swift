import TripletCore

/// Blocked passes over a B×B row-major matrix that touch both (i, j) and (j, i). Rows of a large matrix
/// are a power-of-two stride apart, so column-wise access thrashes the cache and the TLB unless it is
/// confined to small square tiles (32 measured best at B = 4096 on the 2-core machines).
enum Tiles {
    static let size = 32

    /// Calls `body(rows, columns)` once for every tile of the upper triangle (columns start at or after
    /// rows); the body visits the pairs i ≤ j of its tile. Tile rows run in parallel, and two tiles never
    /// share an (i, j) or a (j, i), so each may write both entries without locks.
    @inline(__always)
    static func forEachUpperTile(_ n: Int, threads: Int, _ body: (Range<Int>, Range<Int>) -> Void) {
        let tiles = (n + size - 1) / size
        Parallel.forEachChunk(tiles, threads: threads) { rows in
            for r in rows {
                for c in r..<tiles {
                    body(r * size..<min(r * size + size, n), c * size..<min(c * size + size, n))
                }
            }
        }
    }

    /// m[i][j] = m[j][i] for every i > j, through a small transposed copy of each tile.
    static func mirrorUpperToLower(_ m: UnsafeMutablePointer<Float>, _ n: Int, threads: Int) {
        forEachUpperTile(n, threads: threads) { rows, columns in
            if rows == columns {
                for j in columns {
                    for i in rows where i < j { m[j * n + i] = m[i * n + j] }
                }
                return
            }
            withUnsafeTemporaryAllocation(of: Float.self, capacity: size * size) { t in
                let r0 = rows.lowerBound, c0 = columns.lowerBound, w = columns.count
                for i in rows {
                    for c in 0..<w { t[c * size + (i - r0)] = m[i * n + c0 + c] }
                }
                for (c, j) in columns.enumerated() {
                    for r in 0..<rows.count { m[j * n + r0 + r] = t[c * size + r] }
                }
            }
        }
    }

    /// m := m + mᵀ. Each off-diagonal tile pair goes through a small transposed copy, so that every
    /// access to the large matrix reads or writes a contiguous run of a row.
    static func symmetrize(_ m: UnsafeMutablePointer<Float>, _ n: Int, threads: Int) {
        forEachUpperTile(n, threads: threads) { rows, columns in
            if rows == columns {
                for i in rows {
                    for j in i..<columns.upperBound {
                        let s = m[i * n + j] + m[j * n + i]
                        m[i * n + j] = s
                        m[j * n + i] = s
                    }
                }
                return
            }
            withUnsafeTemporaryAllocation(of: Float.self, capacity: size * size) { t in
                let h = rows.count, w = columns.count
                // t[c][r] = m[column c][row r]: the mirror tile, row-contiguous reads.
                for (c, j) in columns.enumerated() {
                    for r in 0..<h { t[c * size + r] = m[j * n + rows.lowerBound + r] }
                }
                for (r, i) in rows.enumerated() {
                    let row = m + i * n + columns.lowerBound
                    for c in 0..<w {
                        let s = row[c] + t[c * size + r]
                        row[c] = s
                        t[c * size + r] = s
                    }
                }
                for (c, j) in columns.enumerated() {
                    for r in 0..<h { m[j * n + rows.lowerBound + r] = t[c * size + r] }
                }
            }
        }
    }
}
