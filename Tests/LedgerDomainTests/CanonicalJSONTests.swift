import Foundation
import LedgerDomain
import Testing

/// The canonical JSON of every event type, held against the committed examples in
/// `Schemas/examples/`, which `tools/validate-schemas` checks against the JSON Schemas.
///
/// Run with `LEDGER_WRITE_EXAMPLES=1` to (re)write the examples after a deliberate change;
/// a released version's example must then be unchanged (docs/decisions/0005).
@Suite("Canonical JSON and its examples")
struct CanonicalJSONTests {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let examples = repository.appendingPathComponent("Schemas/examples")
    static let writing = ProcessInfo.processInfo.environment["LEDGER_WRITE_EXAMPLES"] == "1"

    /// Writes `value` as the example at `path`, or checks it against the committed one.
    static func check<Value: Codable & Equatable>(_ value: Value, against path: String) throws {
        let url = examples.appendingPathComponent(path)
        if writing {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try (encoder.encode(value) + Data("\n".utf8)).write(to: url)
            return
        }
        let data = try #require(try? Data(contentsOf: url), "missing \(path); run the tests with LEDGER_WRITE_EXAMPLES=1")
        let committed = try JSONDecoder().decode(Value.self, from: data)
        #expect(committed == value, "\(path) differs from what the code produces")
    }

    /// Every sample and its erased reading, by example file name.
    static var payloadExamples: [(path: String, payload: JSONValue)] {
        ContactEventKind.allCases.flatMap { kind -> [(path: String, payload: JSONValue)] in
            let event = ContactEventSamples.sample(kind)
            let name = "events/\(kind.currentType).json"
            guard kind.carriesPersonalData else { return [(name, event.jsonPayload)] }
            return [(name, event.jsonPayload), ("events/\(kind.currentType).erased.json", ContactEventSamples.erased(event).jsonPayload)]
        }
    }

    @Test("each event type's canonical JSON equals its committed example")
    func payloadExamples() throws {
        for example in Self.payloadExamples {
            try Self.check(example.payload, against: example.path)
        }
    }

    @Test("envelopes with and without a decoded payload equal their committed examples")
    func envelopeExamples() throws {
        let fields = ContactEventSamples.sample(.contactFieldsChanged)
        let new = fields.newEvent(
            id: EventID(high: 0x0193_7A2B_4C5D_7E6F, low: 0x8123_4567_89AB_CDEF),
            actor: Actor(.apiKey, "crm-sync"),
            source: .file(name: "contacts-2026-11.csv", sha256: FileDigest(bytes: (0..<32).map { UInt8($0 * 7) }) ?? .zero, row: 12),
            correlation: EventID(high: 0x0193_7A2B_4C5D_7000, low: 0x8000_0000_0000_0001)
        )
        let stored = try ContactEventTests.recorded(new, position: 1234)
        try Self.check(EnvelopeDocument(stored, payload: try ContactEvent(decoding: stored).jsonPayload), against: "envelope.v1.json")
        try Self.check(EnvelopeDocument(stored), against: "envelope.v1.raw.json")

        var sealed = ContactEventSamples.sample(.consentGranted)
            .newEvent(id: EventID(high: 0x0193_7A2B_4C5D_7E70, low: 0x8000_0000_0000_0002), actor: Actor(.form, "newsletter-footer"),
                      source: .form(formID: "newsletter-footer", submissionID: "sub-981"))
        sealed.personalData = [0x5E, 0xA1, 0xED, 0x01, 0x02]
        sealed.personalDataSealed = true
        let storedSealed = try ContactEventTests.recorded(sealed, position: 1235)
        try Self.check(EnvelopeDocument(storedSealed, payload: try ContactEvent(decoding: storedSealed).jsonPayload), against: "envelope.v1.sealed.json")
    }

    @Test("the canonical forms of values: dates, numbers, erased markers")
    func valueForms() throws {
        let event = ContactEvent.contactFieldsChanged(ContactFieldsChanged(changes: [
            FieldChange(field: .standard(.birthDate), from: nil, to: .date(ContactEventSamples.date(1961, 3, 9))),
            FieldChange(field: .custom("lifetimeValue"), old: .erased, new: .known(.number(ContactEventSamples.number("+0012.500")))),
        ]))
        let expected = JSONValue.object(["changes": .array([
            .object(["field": .string("birthDate"), "old": .null, "new": .object(["date": .string("1961-03-09")])]),
            .object(["customField": .string("lifetimeValue"), "old": .string("[erased]"), "new": .object(["number": .string("12.5")])]),
        ])])
        #expect(event.jsonPayload == expected)
    }

    @Test("every event type has a schema and an example, and the README lists the schema")
    func schemaCoverage() throws {
        let readme = try String(contentsOf: Self.repository.appendingPathComponent("Schemas/README.md"), encoding: .utf8)
        for kind in ContactEventKind.allCases {
            let schema = "events/\(kind.currentType).schema.json"
            #expect(FileManager.default.fileExists(atPath: Self.repository.appendingPathComponent("Schemas/\(schema)").path), "no \(schema)")
            #expect(readme.contains(schema), "Schemas/README.md does not list \(schema)")
        }
        #expect(FileManager.default.fileExists(atPath: Self.repository.appendingPathComponent("Schemas/envelope.v1.schema.json").path))
    }
}
