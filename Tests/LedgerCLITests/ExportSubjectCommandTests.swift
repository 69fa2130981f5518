import Foundation
import Testing

@Suite("ledger export subject", .serialized)
struct ExportSubjectCommandTests {
    @Test("one JSON document: state, segments, consent trail, every event, and the absorbed contact's events")
    func document() throws {
        let store = try AuditFixtures.base()
        defer { try? FileManager.default.removeItem(atPath: store) }
        let output = try AuditFixtures.ledger(store, ["export", "subject", "olena@example.com"])
        try Snapshot.expect(output, matches: "export-subject-olena.json")
        let document = try #require(JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        #expect(document["subject"] as? Int == 1)
        let contact = try #require(document["contact"] as? [String: Any])
        #expect(contact["firstName"] as? String == "Olha")
        #expect(contact["email"] as? String == "olena.old@example.com")
        #expect(document["segments"] as? [String] == ["vip"])
        let events = try #require(document["events"] as? [[String: Any]])
        #expect(events.count == 16)
        #expect(events.map { $0["version"] as? Int } == (1...16).map { $0 })
        #expect(events.allSatisfy { $0["payload"] != nil && $0["chainHash"] != nil })
        let trail = try #require(document["consentTrail"] as? [[String: Any]])
        #expect(trail.map { $0["action"] as? String } == ["granted", "confirmation-requested", "confirmed", "withdrawn"])
        let absorbed = try #require(document["absorbed"] as? [[String: Any]])
        #expect(absorbed.count == 1)
        #expect(absorbed.first?["contact"] as? Int == 4)
        #expect((absorbed.first?["state"] as? [String: Any])?["mergedInto"] as? Int == 1)
        #expect((absorbed.first?["events"] as? [[String: Any]])?.count == 4)
    }

    @Test("a sealed contact's export holds no personal value, only [erased]")
    func sealed() throws {
        let store = try AuditFixtures.base()
        defer { try? FileManager.default.removeItem(atPath: store) }
        let output = try AuditFixtures.ledger(store, ["export", "subject", "#3"])
        #expect(output.contains("[erased]"))
        #expect(!output.contains("Taras") && !output.contains("taras@") && !output.contains("198.51.100.4"))
        let document = try #require(JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        #expect((document["events"] as? [[String: Any]])?.allSatisfy { $0["personalDataSealed"] as? Bool == true } == true)
        #expect((document["absorbed"] as? [Any])?.isEmpty == true)
    }
}
