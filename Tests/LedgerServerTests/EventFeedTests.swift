import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LedgerContacts
import LedgerDomain
import LedgerServer
import LedgerStore
import Logging
import ServiceLifecycle
import Synchronization
import Testing

@Suite("GET /api/v1/events?follow=true")
struct EventFeedTests {
    /// The positions of an NDJSON body's envelopes.
    static func positions(_ text: String) -> [Int] {
        text.split(separator: "\n").compactMap { line in
            ((try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any])?["position"] as? Int
        }
    }

    /// Runs blocking work (a pipe read, a process wait) off the cooperative pool.
    static func blocking<Value: Sendable>(_ body: @escaping @Sendable () -> Value) async -> Value {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: body()) }
        }
    }

    @Test("follow streams what is stored, then each commit as it comes, and ends after limit events")
    func followsTheLog() async throws {
        let fixture = try ServerFixture()
        let writer = try fixture.key("crm", [.contactsWrite])
        let auditor = try fixture.key("auditor", [.auditRead])
        try await fixture.test { client in
            _ = try await client.send(.post, "/api/v1/contact", key: writer, json: BulkRoutesTests.contact(1))
            let stored = try fixture.ledger.lastPosition()
            // Three events more than are stored: the response can only end once later commits arrive.
            async let followed = client.send(.get, "/api/v1/events?from=1&follow=true&limit=\(stored + 3)", key: auditor)
            try await Task.sleep(for: .milliseconds(200))
            for index in 2...4 {
                _ = try await client.send(.post, "/api/v1/contact", key: writer, json: BulkRoutesTests.contact(index))
            }
            let response = try await followed
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/x-ndjson")
            #expect(Self.positions(response.text) == Array(1...Int(stored) + 3))
        }
    }

    @Test("follow's errors: a flag that is not true or false, a bad from, no key, the wrong scope, another method")
    func errors() async throws {
        let fixture = try ServerFixture()
        let writer = try fixture.key("crm", [.contactsWrite])
        let auditor = try fixture.key("auditor", [.auditRead])
        try await fixture.test { client in
            let flag = try await client.send(.get, "/api/v1/events?follow=maybe", key: auditor)
            #expect(flag.status == .badRequest)
            #expect((flag.object["errors"] as? [[String: Any]])?.first?["path"] as? String == "query.follow")
            #expect(try await client.send(.get, "/api/v1/events?from=-1&follow=true", key: auditor).status == .badRequest)
            #expect(try await client.send(.get, "/api/v1/events?follow=true", key: nil).status == .unauthorized)
            #expect(try await client.send(.get, "/api/v1/events?follow=true", key: writer).status == .forbidden)
            #expect(try await client.send(.post, "/api/v1/events?follow=true", key: auditor).status == .methodNotAllowed)
            // follow=false is the paged read.
            let paged = try await client.send(.get, "/api/v1/events?follow=false", key: auditor)
            #expect(paged.status == .ok)
        }
    }

    @Test("a graceful shutdown ends a following response cleanly: the client reads a complete body")
    func endsOnShutdown() async throws {
        let fixture = try ServerFixture()
        let writer = try fixture.key("crm", [.contactsWrite])
        let auditor = try fixture.key("auditor", [.auditRead])
        _ = try await fixture.test { client in try await client.send(.post, "/api/v1/contact", key: writer, json: BulkRoutesTests.contact(1)) }
        let stored = Int(try fixture.ledger.lastPosition())
        let port = Mutex<Int?>(nil)
        let app = fixture.server.application(host: "127.0.0.1", port: 0) { bound in port.withLock { $0 = bound } }
        let group = ServiceGroup(services: [app], gracefulShutdownSignals: [], cancellationSignals: [], logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var bound: Int?
            for _ in 0..<200 where bound == nil {
                try await Task.sleep(for: .milliseconds(25))
                bound = port.withLock { $0 }
            }
            let listening = try #require(bound)
            // curl exits 0 only for a complete response; a connection cut mid-body is exit 18.
            nonisolated(unsafe) let curl = Process()
            curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
            curl.arguments = ["-sSN", "--max-time", "120", "-H", "Authorization: Bearer \(auditor)", "http://127.0.0.1:\(listening)/api/v1/events?from=1&follow=true"]
            let output = Pipe()
            curl.standardOutput = output
            try curl.run()
            let reading = output.fileHandleForReading
            // Once the stored events have arrived, the stream is waiting for more.
            let first = await Self.blocking {
                var received = Data()
                while Self.positions(String(decoding: received, as: UTF8.self)).count < stored {
                    let chunk = reading.availableData
                    if chunk.isEmpty { break }
                    received.append(chunk)
                }
                return received
            }
            await group.triggerGracefulShutdown()
            let (rest, status) = await Self.blocking {
                let rest = reading.readDataToEndOfFile()
                curl.waitUntilExit()
                return (rest, curl.terminationStatus)
            }
            #expect(status == 0, "curl exited \(status)")
            #expect(Self.positions(String(decoding: first + rest, as: UTF8.self)) == Array(1...stored))
            try await tasks.waitForAll()
        }
    }
}
