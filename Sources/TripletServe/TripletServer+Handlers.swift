import Foundation
import TripletCore
import TripletGallery

/// What each route does, apart from HTTP: a parsed request in, an answer (or a `ServeError`) out.
extension TripletServer {
    /// `POST /v1/embed`.
    func embed(_ request: ServeRequest, _ payload: Payload) async throws -> EmbedResponse {
        let e = try await embeddings(of: payload)
        return EmbedResponse(dimension: e.rowWidth, embeddings: (0..<e.rowCount).map { e.row($0) })
    }

    /// `POST /v1/search`: the k nearest references of the index (default k 10).
    func search(_ request: ServeRequest, _ payload: Payload) async throws -> SearchResponse {
        guard let index else { throw ServeError.notFound("this server has no index: start it with --index FILE") }
        let k = min(try checkedK(request.k ?? 10), index.labels.count)
        let queries = try await embeddings(of: payload)
        let hits = try index.search(queries, k: k, threads: 1)
        let results = (0..<queries.rowCount).map { q in
            SearchResponse.Result(
                neighbors: (0..<hits.k).map { i in
                    let j = Int(hits.indices[q * hits.k + i]), label = index.labels[j]
                    return Neighbor(
                        index: j, label: label, className: classNames.indices.contains(label) ? classNames[label] : nil,
                        distance: hits.distances[q * hits.k + i],
                        image: references == nil ? nil : "/v1/references/\(j)/image")
                })
        }
        return SearchResponse(results: results)
    }

    /// `POST /v1/identify`: the k nearest identities of each query (default k 1), null when unknown.
    func identify(_ request: ServeRequest, _ payload: Payload) async throws -> IdentifyResponse {
        let gallery = try requireGallery()
        let k = try checkedK(request.k ?? 1)
        let answers = try gallery.identify(try await embeddings(of: payload), k: k, threads: 1)
        return IdentifyResponse(
            results: answers.map { answer in
                IdentifyResponse.Result(
                    identity: answer.accepted?.identity.name, unknown: answer.isUnknown,
                    matches: answer.matches.map {
                        IdentityMatch(name: $0.identity.name, distance: $0.distance, metadata: $0.identity.metadata)
                    })
            })
    }

    /// `POST /v1/verify`: one sample against the claimed `identity`.
    func verify(_ request: ServeRequest, _ payload: Payload) async throws -> VerifyResponse {
        let gallery = try requireGallery()
        guard let name = request.identity else {
            throw ServeError.badRequest("give the claimed identity (identity)", code: "missing_identity")
        }
        guard payload.count == 1 else {
            throw ServeError.badRequest("verify takes one sample, not \(payload.count)", code: "one_sample")
        }
        let e = try await embeddings(of: payload)
        let answer = try gallery.verify(e.row(0), identity: name)
        let threshold = try gallery.calibration?.threshold ?? .nan
        return VerifyResponse(
            identity: name, accepted: answer.accepted, distance: answer.distance, threshold: threshold)
    }

    /// `POST /v1/identities`: a new identity from samples, in one transaction.
    func enroll(_ request: ServeRequest, _ payload: Payload) async throws -> Enrolled {
        let gallery = try requireGallery()
        guard let name = request.name else {
            throw ServeError.badRequest("give the new identity's name", code: "missing_name")
        }
        let e = try await embeddings(of: payload)
        let metadata = request.metadata ?? [:]
        let id = try await pool.write { try gallery.enroll(name: name, embeddings: e, metadata: metadata) }
        return Enrolled(name: name, id: id, samples: e.rowCount)
    }

    /// `DELETE /v1/identities/{name}`.
    func remove(_ name: String) async throws -> Removed {
        let gallery = try requireGallery()
        try await pool.write { try gallery.remove(identity: name) }
        return Removed(removed: name)
    }

    /// `GET /v1/identities`.
    func identities() throws -> IdentityList {
        let gallery = try requireGallery()
        return IdentityList(
            identities: try gallery.list().map {
                .init(name: $0.name, samples: $0.sampleCount, created: $0.created, metadata: $0.metadata)
            },
            calibration: try gallery.calibration.map(Self.summary))
    }

    /// `POST /v1/calibrate`: the open-set threshold for `target_far` from labelled probes (`identities`:
    /// each probe's enrolled name, or null for someone never enrolled).
    func calibrate(_ request: ServeRequest, _ payload: Payload) async throws -> CalibrationSummary {
        let gallery = try requireGallery()
        guard let names = request.identities, let target = request.targetFar else {
            throw ServeError.badRequest(
                "give identities (one name or null per probe) and target_far", code: "missing_calibration")
        }
        let probes = try await embeddings(of: payload)
        let result = try await pool.write {
            try gallery.calibrate(probes: probes, identities: names, targetFAR: target)
        }
        return Self.summary(result)
    }

    /// `GET /health`.
    func health() throws -> Health {
        let limits = configuration.limits
        return Health(
            status: "ok", model: fingerprint, inputShape: inputShape, embeddingDimension: dimension,
            metric: metric.rawValue, indexReferences: index?.labels.count, referenceImages: references != nil,
            identities: try gallery?.list().count, workers: pool.workers,
            writesEnabled: configuration.access.writesEnabled, readsNeedToken: configuration.access.readsNeedToken,
            limits: .init(
                maximumBodyBytes: limits.maximumBodyBytes, maximumPixels: limits.maximumPixels,
                maximumBatch: limits.maximumBatch, maximumK: limits.maximumK))
    }

    /// `GET /metrics`: the request counters and histograms, and the server's gauges.
    func metricsText() throws -> String {
        var gauges: [(name: String, help: String, value: Double)] = [
            ("triplet_embed_workers", "Embedding workers (model copies).", Double(pool.workers)),
            ("triplet_embed_busy", "Embedding workers running a job.", Double(pool.busy)),
            ("triplet_embed_queued", "Embedding jobs waiting for a worker.", Double(pool.queued)),
        ]
        if let index {
            gauges.append(("triplet_index_references", "References in the index.", Double(index.labels.count)))
        }
        if let gallery {
            gauges.append(
                ("triplet_gallery_identities", "Identities in the gallery.", Double(try gallery.list().count)))
        }
        return metrics.render(gauges: gauges)
    }

    /// `GET /v1/references/{index}/image`: the PNG of one reference.
    func referenceImage(_ text: String) throws -> [UInt8] {
        guard let references else {
            throw ServeError.notFound("this server has no reference images: start it with the index's data source")
        }
        guard let i = Int(text), (0..<references.count).contains(i) else {
            throw ServeError.notFound("no reference \(text): expected 0..<\(references.count)")
        }
        return try references.png(i)
    }

    static func summary(_ c: GalleryCalibration) -> CalibrationSummary {
        CalibrationSummary(
            threshold: c.threshold, falseAcceptRate: c.falseAcceptRate, trueAcceptRate: c.trueAcceptRate,
            basis: c.basis.rawValue)
    }
}
