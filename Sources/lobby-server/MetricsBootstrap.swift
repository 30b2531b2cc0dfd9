import LobbyServer
import Metrics
import Prometheus

/// Points swift-metrics at a Prometheus registry and returns what `/metrics` serves: the
/// registry's text plus the process's `process_*` series. When several nodes share a lobby
/// (a PostgreSQL database), every series carries `node` (the node id).
func bootstrapMetrics(_ configuration: ServerConfiguration, shared: Bool) -> @Sendable () -> [UInt8] {
    let registry = PrometheusCollectorRegistry()
    var factory = PrometheusMetricsFactory(registry: registry)
    let node = shared ? configuration.nodeID ?? defaultNodeID(port: configuration.port) : nil
    if let node {
        factory.nameAndLabelSanitizer = { name, labels in (name, labels + [("node", node)]) }
    }
    // Store commits and leave broadcasts take milliseconds: buckets from 0.5 ms to 10 s.
    let durations: [Duration] = [
        .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
        .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
    ]
    factory.defaultDurationHistogramBuckets = durations
    factory.valueHistogramBuckets["lobby_store_batch_size"] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]
    MetricsSystem.bootstrap(factory)
    let labels = node.map { [("node", $0)] } ?? []
    return {
        var text: [UInt8] = []
        registry.emit(into: &text)
        text += Array(ProcessMetrics.text(labels: labels).utf8)
        return text
    }
}
