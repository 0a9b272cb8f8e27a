import Foundation

/// Request counts and latency histograms per route, written in Prometheus's text exposition format
/// (version 0.0.4) by `/metrics`. Routes are the router's patterns (`/v1/identities/{name}`), and every
/// request no route matched counts as `unmatched`, so a scan of random paths cannot grow the label set.
final class ServeMetrics: @unchecked Sendable {
    /// The upper bounds of the latency buckets, in seconds.
    static let bucketBounds: [Double] = [
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
    ]

    private struct RouteKey: Hashable, Comparable {
        let route: String, method: String
        static func < (a: RouteKey, b: RouteKey) -> Bool { (a.route, a.method) < (b.route, b.method) }
    }

    private struct Histogram {
        var buckets = [Int](repeating: 0, count: ServeMetrics.bucketBounds.count)
        var sum = 0.0
        var count = 0
    }

    private let lock = NSLock()
    private var counts: [RouteKey: [Int: Int]] = [:]
    private var latencies: [RouteKey: Histogram] = [:]

    /// Counts one answered request and its latency.
    func record(route: String, method: String, status: Int, seconds: Double) {
        let key = RouteKey(route: route, method: method)
        let bucket = Self.bucketBounds.firstIndex { seconds <= $0 }
        lock.withLock {
            counts[key, default: [:]][status, default: 0] += 1
            var histogram = latencies[key] ?? Histogram()
            if let bucket { histogram.buckets[bucket] += 1 }
            histogram.sum += seconds
            histogram.count += 1
            latencies[key] = histogram
        }
    }

    /// The exposition text: the counters and histograms, then `gauges` (name, help, value).
    func render(gauges: [(name: String, help: String, value: Double)]) -> String {
        let (counts, latencies) = lock.withLock { (self.counts, self.latencies) }
        var out = "# HELP triplet_http_requests_total Requests answered, by route, method and status.\n"
        out += "# TYPE triplet_http_requests_total counter\n"
        for key in counts.keys.sorted() {
            for (status, count) in counts[key, default: [:]].sorted(by: { $0.key < $1.key }) {
                out += "triplet_http_requests_total{\(Self.labels(key))"
                out += ",status=\"\(status)\"} \(count)\n"
            }
        }
        out += "# HELP triplet_http_request_duration_seconds Time from routing to the response, by route.\n"
        out += "# TYPE triplet_http_request_duration_seconds histogram\n"
        for key in latencies.keys.sorted() {
            guard let histogram = latencies[key] else { continue }
            var cumulative = 0
            for (bound, count) in zip(Self.bucketBounds, histogram.buckets) {
                cumulative += count
                out +=
                    "triplet_http_request_duration_seconds_bucket{\(Self.labels(key)),le=\"\(bound)\"} \(cumulative)\n"
            }
            out += "triplet_http_request_duration_seconds_bucket{\(Self.labels(key)),le=\"+Inf\"} \(histogram.count)\n"
            out += "triplet_http_request_duration_seconds_sum{\(Self.labels(key))} \(histogram.sum)\n"
            out += "triplet_http_request_duration_seconds_count{\(Self.labels(key))} \(histogram.count)\n"
        }
        for gauge in gauges {
            out += "# HELP \(gauge.name) \(gauge.help)\n# TYPE \(gauge.name) gauge\n\(gauge.name) \(gauge.value)\n"
        }
        return out
    }

    private static func labels(_ key: RouteKey) -> String {
        "route=\"\(escape(key.route))\",method=\"\(escape(key.method))\""
    }

    /// A label value with `\`, `"` and newlines escaped, as the format requires.
    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
