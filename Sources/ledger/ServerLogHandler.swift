import Foundation
import Logging

/// The server's log lines on standard error, in `StreamLogHandler`'s layout (time, level,
/// label, metadata, source, message).
///
/// Metadata is written out only when a line is logged. `StreamLogHandler` formats its whole
/// metadata again every time a key is set, and Hummingbird sets the request id on every
/// request's logger, so a server logging at `error` paid that formatting per request for
/// lines it never wrote.
struct ServerLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    init(label: String, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.metadataProvider = metadataProvider
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { _, new in new } }
        if let extra = event.metadata { all.merge(extra) { _, new in new } }
        let fields = all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let time = Date.now.formatted(.iso8601)
        let line = "\(time) \(event.level) \(label) :\(fields.isEmpty ? "" : " " + fields) [\(event.source)] \(event.message)\n"
        // A line that cannot be written (standard error on a full disk) is dropped: the log
        // never stops the server.
        StandardStream.write(line, to: STDERR_FILENO)
    }
}
