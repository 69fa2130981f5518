import Foundation
import LedgerDomain
import LedgerStore

/// A directory under the system's temporary folder, removed when the test ends.
final class TemporaryDirectory {
    let path: String

    init(_ name: String = "ledger-test") {
        path = NSTemporaryDirectory() + "\(name)-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    func sub(_ name: String) -> String { path + "/" + name }
}

/// An event with a recognisable payload.
func testEvent(_ name: String = "test.happened", data: String = "payload", id: EventID = .timeOrdered()) -> NewEvent {
    NewEvent(
        id: id,
        type: EventType(name, version: 1),
        actor: Actor(.user, "tester"),
        source: .cli(command: "test"),
        data: Array(data.utf8),
        personalData: Array("personal \(data)".utf8)
    )
}

/// A fixed clock, so recorded times are predictable.
let fixedClock: @Sendable () -> Int64 = { 1_780_000_000_000_000 }
