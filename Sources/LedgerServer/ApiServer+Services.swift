import Hummingbird
import ServiceLifecycle
import UnixSignals

extension ApiServer {
    /// Serves like `run(host:port:onRunning:)`, with `services` (the mail sender) in the same
    /// service group: SIGTERM or SIGINT shuts all of them down gracefully (each finishes what it
    /// has in flight), and one that fails stops the others.
    public func run(host: String, port: Int, alongside services: [any Service], onRunning: @escaping @Sendable (Int?) async -> Void = { _ in }) async throws {
        guard !services.isEmpty else {
            try await run(host: host, port: port, onRunning: onRunning)
            return
        }
        var all: [any Service] = [application(host: host, port: port, onRunning: onRunning)]
        all += services
        let group = ServiceGroup(
            configuration: .init(
                services: all,
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await group.run()
    }
}
