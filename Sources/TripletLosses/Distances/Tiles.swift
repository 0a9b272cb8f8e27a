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

    /// m[i][j] = m[j][i] for every i > j.
    static func mirrorUpperToLower(_ m: UnsafeMutablePointer<Float>, _ n: Int, threads: Int) {
        forEachUpperTile(n, threads: threads) { rows, columns in
            for j in columns {
                for i in rows where i < j { m[j * n + i] = m[i * n + j] }
            }
        }
    }
}
