import Foundation
import Testing

/// Recorded CLI output under `Snapshots/`, compared byte for byte.
///
/// Read through `#filePath` rather than as a bundle resource, so the test target needs no
/// resources. Set `LEDGER_RECORD_SNAPSHOTS=1` to (re)record instead of comparing; review the
/// diff of the recorded files before committing them.
enum Snapshot {
    /// The folder of the recorded files.
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")

    /// Whether this run records snapshots rather than comparing with them.
    static var recording: Bool { ProcessInfo.processInfo.environment["LEDGER_RECORD_SNAPSHOTS"] == "1" }

    /// Checks that `actual` is byte for byte the snapshot `name`, naming the first line that differs.
    static func expect(_ actual: String, matches name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let url = directory.appendingPathComponent(name)
        if recording {
            try Data(actual.utf8).write(to: url)
            return
        }
        guard let expected = try? Data(contentsOf: url) else {
            Issue.record("no snapshot \(name); run the tests with LEDGER_RECORD_SNAPSHOTS=1 to record it", sourceLocation: sourceLocation)
            return
        }
        guard Array(actual.utf8) != Array(expected) else { return }
        // Split on LF only, so a CR that went missing or appeared shows in the line.
        let actualLines = actual.utf8.split(separator: 0x0A, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        let expectedLines = expected.split(separator: 0x0A, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        let line = zip(actualLines, expectedLines).enumerated().first { $0.element.0 != $0.element.1 }?.offset
            ?? min(actualLines.count, expectedLines.count)
        let got = line < actualLines.count ? actualLines[line].debugDescription : "end of output"
        let wanted = line < expectedLines.count ? expectedLines[line].debugDescription : "end of snapshot"
        Issue.record("output differs from snapshot \(name) at line \(line + 1): got \(got), expected \(wanted)", sourceLocation: sourceLocation)
    }
}
