import Prometheus
import Synchronization

/// The server's Prometheus metrics: requests by route and status, latency by route, the
/// sizes of the batches committed, and how far the contact projection is behind the log.
///
/// Kept in a registry of the server's own, not the process-wide `MetricsSystem`: only
/// executables bootstrap that, and tests make several servers in one process.
public final class ApiMetrics: Sendable {
    /// The registry `/metrics` writes out.
    public let registry = PrometheusCollectorRegistry()
    private let batchSizes: ValueHistogram
    private let projectionLag: Gauge
    /// The request counters and latency histograms made so far, by their labels: the
    /// registry's `make…` checks and hashes the name, help text and labels on every call,
    /// a cost every request paid twice.
    private let series = Mutex(Series())

    private struct Series {
        struct Key: Hashable {
            let route: String
            let method: String
            let status: Int
        }

        var counters: [Key: Counter] = [:]
        var latencies: [String: DurationHistogram] = [:]
    }

    /// Latency buckets from 0.5 ms to 2.5 s.
    static let latencyBuckets: [Duration] = [
        .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(20),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500),
    ]

    /// A registry with the server's metrics.
    public init() {
        batchSizes = registry.makeValueHistogram(
            descriptor: MetricNameDescriptor(namespace: "ledger", metricName: "commit_batch", unitName: "contacts", helpText: "Contacts per committed upsert batch."),
            buckets: [1, 2, 5, 10, 50, 100, 500, 1000, 3000]
        )
        projectionLag = registry.makeGauge(
            descriptor: MetricNameDescriptor(namespace: "ledger", metricName: "projection_lag", unitName: "events", helpText: "Events in the log the contact projection has not folded yet.")
        )
    }

    /// Counts a finished request.
    func request(route: String, method: String, status: Int, duration: Duration) {
        let (counter, latency) = series.withLock { series in
            let key = Series.Key(route: route, method: method, status: status)
            let counter: Counter
            if let known = series.counters[key] {
                counter = known
            } else {
                counter = registry.makeCounter(
                    descriptor: MetricNameDescriptor(namespace: "http", metricName: "requests", unitName: "total", helpText: "HTTP requests by route, method and status."),
                    labels: [("route", route), ("method", method), ("status", String(status))]
                )
                series.counters[key] = counter
            }
            let latency: DurationHistogram
            if let known = series.latencies[route] {
                latency = known
            } else {
                latency = registry.makeDurationHistogram(
                    descriptor: MetricNameDescriptor(namespace: "http", metricName: "request_duration", unitName: "seconds", helpText: "HTTP request latency by route."),
                    labels: [("route", route)],
                    buckets: Self.latencyBuckets
                )
                series.latencies[route] = latency
            }
            return (counter, latency)
        }
        counter.increment()
        latency.record(duration)
    }

    /// Records a committed batch of `count` contacts.
    func committed(batch count: Int) {
        batchSizes.record(Double(count))
    }

    /// Sets the projection's lag.
    func projection(lag: UInt64) {
        projectionLag.set(Double(lag))
    }
}
