import Foundation
import LedgerDomain
import LedgerStore
import Testing

@Suite("The ledger command line", .serialized)
struct LedgerCLITests {
    /// A store with `count` events appended by this process (then closed).
    static func makeStore(events count: Int) throws -> String {
        let directory = NSTemporaryDirectory() + "ledger-cli-\(UUID().uuidString)"
        let ledger = try Ledger(directory: directory)
        for index in 0..<count {
            _ = try ledger.append(.newStream([NewEvent(
                type: EventType("test.happened", version: 1),
                actor: Actor(.user, "cli-test"),
                source: .cli(command: "test"),
                data: Array("event \(index)".utf8)
            )]))
        }
        ledger.close()
        return directory
    }

    @Test("verify reports ok and exits 0 on an intact store; --json says the same")
    func verifyIntact() throws {
        let store = try Self.makeStore(events: 5)
        defer { try? FileManager.default.removeItem(atPath: store) }
        let text = try Executables.run("ledger", ["verify", "--store", store])
        #expect(text.status == 0)
        #expect(text.stdout.hasPrefix("ok: 5 events, positions 1…5, head hash "))
        let json = try Executables.run("ledger", ["verify", "--json"], environment: ["LEDGER_STORE": store])
        #expect(json.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(object?["ok"] as? Bool == true)
        #expect(object?["events"] as? Int == 5)
    }

    @Test("verify names the first bad position and exits 1 when an event was altered")
    func verifyCorrupted() throws {
        let store = try Self.makeStore(events: 8)
        defer { try? FileManager.default.removeItem(atPath: store) }
        let copy = store + "-copy"
        defer { try? FileManager.default.removeItem(atPath: copy) }
        do {
            let ledger = try Ledger(directory: store)
            try ledger.backup(to: copy)
            ledger.close()
        }
        let url = URL(fileURLWithPath: copy + "/data.mdb")
        var bytes = try [UInt8](Data(contentsOf: url))
        let marker = Array("event 6".utf8)
        let offset = try #require(bytes.indices.first { bytes[$0...].starts(with: marker) })
        bytes[offset] ^= 0x01
        try Data(bytes).write(to: url)
        let result = try Executables.run("ledger", ["verify", "--store", copy])
        #expect(result.status == 1)
        #expect(result.stdout.contains("FAULT: first bad position 7"))
        #expect(result.stdout.contains("[hash]"))
    }

    @Test("stats prints counts; --json is machine-readable")
    func stats() throws {
        let store = try Self.makeStore(events: 3)
        defer { try? FileManager.default.removeItem(atPath: store) }
        let result = try Executables.run("ledger", ["stats", "--json", "--store", store])
        #expect(result.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(object?["events"] as? Int == 3)
        #expect(object?["lastPosition"] as? Int == 3)
        #expect(object?["streams"] as? Int == 3)
        #expect((object?["bytesOnDisk"] as? Int ?? 0) > 0)
    }

    @Test("events prints NDJSON envelopes from a position, up to a limit")
    func events() throws {
        let store = try Self.makeStore(events: 6)
        defer { try? FileManager.default.removeItem(atPath: store) }
        let result = try Executables.run("ledger", ["events", "--from", "2", "--limit", "3", "--store", store])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 3)
        let documents = try lines.map { try JSONDecoder().decode(EnvelopeDocument.self, from: Data($0.utf8)) }
        #expect(documents.map(\.position) == [2, 3, 4])
        #expect(documents[0].type == "test.happened")
        #expect(documents[0].typeVersion == 1)
        #expect(documents[0].actor.name == "cli-test")
        #expect(documents[0].source.kind == "cli")
        #expect(documents[0].data == Base64.encode(Array("event 1".utf8)))
        #expect(documents[0].chainHash.count == 64)
    }

    @Test("a missing store is a clear error, not an empty answer")
    func missingStore() throws {
        let result = try Executables.run("ledger", ["stats", "--store", "/nonexistent/ledger"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("no ledger at /nonexistent/ledger"))
    }

    @Test("the CLI reads and follows a store while another process appends to it")
    func twoProcesses() throws {
        let store = NSTemporaryDirectory() + "ledger-two-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: store) }
        let writer = Process()
        writer.executableURL = URL(fileURLWithPath: Executables.path("ledger-stress"))
        writer.arguments = [store, "7"]
        writer.standardOutput = FileHandle.nullDevice
        try writer.run()
        defer {
            // SIGKILL: the test runner's blocked-signal mask is inherited, so SIGTERM may wait.
            kill(writer.processIdentifier, SIGKILL)
            writer.waitUntilExit()
        }
        var seen = [Int]()
        for _ in 0..<40 where seen.count < 3 {
            usleep(50_000)
            let stats = try Executables.run("ledger", ["stats", "--json", "--store", store])
            guard stats.status == 0,
                  let object = try? JSONSerialization.jsonObject(with: Data(stats.stdout.utf8)) as? [String: Any],
                  let events = object["events"] as? Int, events > 0 else { continue }
            seen.append(events)
        }
        #expect(seen.count == 3)
        #expect(seen == seen.sorted())
        let verify = try Executables.run("ledger", ["verify", "--store", store])
        #expect(verify.status == 0, "\(verify.stdout)")
        let follow = try Executables.run("ledger", ["events", "--follow", "--limit", "500", "--store", store])
        #expect(follow.status == 0)
        #expect(follow.stdout.split(separator: "\n").count == 500)
    }
}
