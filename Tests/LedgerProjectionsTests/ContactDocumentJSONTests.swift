import LedgerDomain
@testable import LedgerProjections
import Testing

/// `ContactDocument.jsonBytes`, written straight from the document, against the tree the
/// document was written from before (`ordered.text`): the same text, byte for byte.
@Suite("Contact document: bytes written directly equal the ordered tree's text")
struct ContactDocumentJSONTests {
    @Test("folds of random events", arguments: 0..<40)
    func randomStates(seed: UInt64) throws {
        var random = RandomEvents(seed: seed)
        var state: ContactState?
        for (index, event) in random.events(count: 60).enumerated() {
            state = ContactState.fold(state, event, meta: meta(index))
            guard let state else { continue }
            let document = state.document
            #expect(document.jsonBytes == Array(document.ordered.text.utf8), "seed \(seed), event \(index)")
        }
    }

    @Test("strings that need escaping, every control character among them, and unusual numbers")
    func escaping() {
        let controls = String((0..<0x20).map { Character(Unicode.Scalar(UInt8($0))) })
        let document = ContactDocument(
            id: 7, externalId: "quote \" backslash \\ slash /", email: "a\u{7F}b@example.com", phone: nil,
            externalIds: ["x", "y\u{2028}z"], emails: nil, phones: ["+380441234567", "+380441234568"],
            firstName: controls, lastName: "Ševčenko 🇺🇦", birthDate: nil, languageCode: "", timeZone: nil,
            fields: ["b": .number(1e21), "a": .number(-0.5), "c": .number(.infinity), "d": .bool(false), "\u{01}key": .string("\r\n")],
            consent: ["sms": ConsentDocument(status: "confirmed", since: "2026-01-01T00:00:00.000000Z", method: "api", purposes: [:])],
            segments: ["z", "a\"b"], mergedInto: 3, erased: false
        )
        #expect(document.jsonBytes == Array(document.ordered.text.utf8))
        #expect(document.jsonText == document.ordered.text)
    }
}
