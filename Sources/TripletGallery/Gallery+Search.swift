import TripletCore
import TripletEvaluation

extension Gallery {
    /// The k nearest identities of one query embedding, nearest first; `isUnknown` when the gallery is
    /// empty or the best distance is over the calibrated threshold (no threshold: never unknown).
    public func identify(_ embedding: [Float], k: Int = 1) throws -> GalleryIdentification {
        try identify(try tensor([embedding]), k: k)[0]
    }

    /// `identify` for every row of `queries` (`[n, dimension]`), in one search on `threads` threads. The
    /// search reads the in-memory copy in place: no per-call copy, check or norm of the stored embeddings.
    /// Few queries (one, say) are searched with the references split among the threads.
    public func identify(
        _ queries: Tensor, k: Int = 1, threads: Int = Parallel.defaultThreads
    ) throws -> [GalleryIdentification] {
        try validate(queries)
        guard k >= 1 else { throw TripletError.invalidParameter(name: "k", value: "\(k)", expected: ">= 1") }
        let (snapshot, calibration) = try current()
        let threshold = calibration?.threshold
        let rows = snapshot.templateOwners.count
        guard rows > 0 else {
            return Array(repeating: GalleryIdentification(matches: [], isUnknown: true), count: queries.rowCount)
        }
        // Enough rows that k distinct identities are among them, whatever their sample counts.
        let wanted = min(rows, k * max(snapshot.maxTemplatesPerIdentity, 1))
        let found = try ExactKNN.search(
            queries: queries, references: snapshot.templates, k: wanted, threads: max(threads, 1))
        return (0..<queries.rowCount).map { q in
            var matches: [GalleryMatch] = []
            var seen = Set<Int64>()
            for (index, distance) in zip(found.neighbors(of: q), found.distances[q * wanted..<(q + 1) * wanted]) {
                let owner = snapshot.templateOwners[Int(index)]
                guard matches.count < k, seen.insert(owner).inserted, let identity = snapshot.identities[owner]
                else { continue }
                matches.append(GalleryMatch(identity: identity, distance: distance))
            }
            let unknown = matches.isEmpty || threshold.map { Double(matches[0].distance) > $0 } ?? false
            return GalleryIdentification(matches: matches, isUnknown: unknown)
        }
    }

    /// Whether a query embedding is the named identity: its distance to the identity's nearest template,
    /// accepted when at most the calibrated threshold. Throws `notCalibrated` before `calibrate`.
    public func verify(_ embedding: [Float], identity name: String) throws -> GalleryVerification {
        let query = try tensor([embedding])
        try validate(query)
        let (snapshot, calibration) = try current()
        guard let id = snapshot.identity(named: name)?.id else { throw TripletError.unknownIdentity(name) }
        guard let threshold = calibration?.threshold else { throw TripletError.notCalibrated }
        let rows = snapshot.templates(of: id)
        let references = try Tensor(shape: [rows.count / dimension, dimension], scalars: rows)
        let found = try ExactKNN.search(queries: query, references: references, k: 1, metric: metric)
        let distance = found.distances[0]
        return GalleryVerification(accepted: Double(distance) <= threshold, distance: distance)
    }
}
