import Foundation
import LedgerDomain
import LedgerProjections
import Testing

@Suite("Contact document: JSON for show --json and the export")
struct ContactDocumentTests {
    static let state: ContactState? = fold([
        Events.created(.form),
        Events.added(.externalId, "crm-1"),
        Events.added(.email, "old@example.com"),
        Events.added(.email, "olena@example.com"),
        Events.added(.phone, "+380441234567"),
        .contactFieldsChanged(ContactFieldsChanged(changes: [
            FieldChange(field: .standard(.firstName), from: nil, to: .text("Олена \"Lena\"")),
            FieldChange(field: .standard(.lastName), from: nil, to: .text("Ševčenko")),
            FieldChange(field: .standard(.birthDate), from: nil, to: .date(Events.date(1961, 3, 9))),
            FieldChange(field: .standard(.languageCode), from: nil, to: .text("uk")),
            FieldChange(field: .standard(.timeZone), from: nil, to: .text("Europe/Kyiv")),
            FieldChange(field: .custom("tier"), from: nil, to: .text("gold")),
            FieldChange(field: .custom("ltv"), from: nil, to: Events.number("1250.50")),
            FieldChange(field: .custom("orders"), from: nil, to: Events.number("12")),
            FieldChange(field: .custom("big"), from: nil, to: Events.number("12345678901234567890.1")),
            FieldChange(field: .custom("firstOrder"), from: nil, to: .date(Events.date(1969, 12, 31))),
            FieldChange(field: .custom("vip"), from: nil, to: .bool(true)),
        ])),
        Events.granted(.formSingleOptIn),
        Events.granted(.import, ConsentScope(channel: .email, purpose: "offers")),
        Events.granted(.api, ConsentScope(channel: .sms, purpose: "offers")),
        .segmentMemberAdded(SegmentMembership(segment: "trial")),
        .segmentMemberAdded(SegmentMembership(segment: "Kyiv customers")),
    ])

    @Test("the document's text has the documented key order and plain values")
    func text() throws {
        let document = try #require(Self.state).document
        let expected = """
        {"id":42,"externalId":"crm-1","email":"olena@example.com","phone":"+380441234567",\
        "emails":["olena@example.com","old@example.com"],\
        "firstName":"Олена \\"Lena\\"","lastName":"Ševčenko","birthDate":"1961-03-09","languageCode":"uk",\
        "timeZone":"Europe/Kyiv","fields":{"big":"12345678901234567890.1","firstOrder":"1969-12-31",\
        "ltv":1250.5,"orders":12,"tier":"gold","vip":true},"consent":{\
        "email":{"status":"subscribed-unconfirmed","since":"2026-11-29T00:00:07.000000Z","method":"import",\
        "purposes":{"newsletter":{"status":"subscribed-unconfirmed","since":"2026-11-29T00:00:06.000000Z",\
        "method":"form-single-opt-in"},"offers":{"status":"subscribed-unconfirmed",\
        "since":"2026-11-29T00:00:07.000000Z","method":"import"}}},\
        "sms":{"status":"confirmed","since":"2026-11-29T00:00:08.000000Z","method":"api",\
        "purposes":{"offers":{"status":"confirmed","since":"2026-11-29T00:00:08.000000Z","method":"api"}}}},\
        "segments":["Kyiv customers","trial"]}
        """
        #expect(document.jsonText == expected)
    }

    @Test("absent values are omitted; merged and erased contacts say so")
    func absent() throws {
        let bare = try #require(fold([Events.created()]))
        #expect(bare.document.jsonText == #"{"id":42,"fields":{},"consent":{},"segments":[]}"#)
        let erased = try #require(fold([.contactMergedAway(ContactMergedAway(survivor: StreamID(4))), .contactErased(ContactErased(reason: "gdpr-request"))], from: Self.state, offset: 20))
        #expect(erased.document.jsonText == #"{"id":42,"fields":{},"consent":{},"segments":[],"mergedInto":4,"erased":true}"#)
    }

    @Test("numbers are JSON numbers only when a Double holds them exactly")
    func numbers() {
        let cases: [(String, DocumentValue)] = [
            ("0", .number(0)), ("12", .number(12)), ("-3.25", .number(-3.25)), ("0.1", .number(0.1)),
            ("1250.5", .number(1250.5)), ("9007199254740993", .string("9007199254740993")),
            ("12345678901234567890.1", .string("12345678901234567890.1")), ("0.0000001", .string("0.0000001")),
        ]
        for (text, expected) in cases {
            #expect(DocumentValue(Events.number(text)) == expected, "\(text)")
        }
    }

    @Test("strings escape quotes, backslashes and control characters only")
    func escaping() throws {
        let state = try #require(fold([Events.set(.custom("note"), .text("a\"b\\c/d\ne\u{01}é"))]))
        #expect(state.document.jsonText.contains(#""note":"a\"b\\c/d\ne\u0001é""#))
    }

    @Test("the text parses back to the Codable document")
    func parsesBack() throws {
        let document = try #require(Self.state).document
        let decoded = try JSONDecoder().decode(ContactDocument.self, from: Data(document.jsonText.utf8))
        #expect(decoded == document)
        let viaEncoder = try JSONDecoder().decode(ContactDocument.self, from: JSONEncoder().encode(document))
        #expect(viaEncoder == document)
    }

    @Test("the JSONValue form carries the same content")
    func jsonValue() throws {
        let state = try #require(Self.state)
        let fromText = try JSONDecoder().decode(JSONValue.self, from: Data(state.document.jsonText.utf8))
        #expect(state.jsonValue == fromText)
        guard case .object(let object) = state.jsonValue, case .object(let fields) = object["fields"] else {
            Issue.record("not an object")
            return
        }
        #expect(object["email"] == .string("olena@example.com"))
        #expect(fields["ltv"] == .number(1250.5))
        #expect(fields["big"] == .string("12345678901234567890.1"))
    }
}
