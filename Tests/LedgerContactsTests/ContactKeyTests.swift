import LedgerContacts
import LedgerDomain
import Testing

@Suite("Contact keys", .serialized)
struct ContactKeyTests {
    @Test("each form reads one way", arguments: [
        ("#12", ContactKey.number(StreamID(12))),
        ("id:12", .number(StreamID(12))),
        ("ID:12", .number(StreamID(12))),
        (" #7 ", .number(StreamID(7))),
        ("ext:crm-0042", .externalID("crm-0042")),
        ("ext:12", .externalID("12")),
        ("email:Olena@Example.com", .email("Olena@Example.com")),
        ("olena@example.com", .email("olena@example.com")),
        ("phone:+380671234567", .phone("+380671234567")),
        ("+38 (067) 123-45-67", .phone("+38 (067) 123-45-67")),
        // A bare number is a phone number, never a contact number.
        ("0671234567", .phone("0671234567")),
        ("12", .phone("12")),
    ])
    func forms(text: String, expected: ContactKey) throws {
        #expect(try ContactKey(parsing: text) == expected)
    }

    @Test("malformed keys are refused with what to write instead", arguments: ["", "   ", "#", "#12a", "id:-3", "#0", "id:1234567890123456", "ext:", "olena\u{1B}[31m@example.com", "a\nb"])
    func refused(text: String) {
        #expect(throws: ContactError.self) { try ContactKey(parsing: text) }
    }

    @Test("a phone-shaped key finds the phone's holder, not the contact with that number")
    func bareDigitsArePhones() throws {
        let fixture = try Fixture()
        // Enough contacts that a digits-only key could name one by number.
        for index in 1...3 {
            try fixture.upsert(ContactInput(email: "c\(index)@example.com"))
        }
        let holder = try fixture.upsert(ContactInput(phone: "0671234567")).contact
        #expect(try fixture.book.resolve(key: "0671234567") == holder)
        #expect(try fixture.book.resolve(key: "#\(holder)") == holder)
        #expect(try fixture.book.resolve(key: "#1") == StreamID(1))
        #expect(try fixture.book.resolve(key: "#99") == nil)
        let error = #expect(throws: ContactError.self) { try fixture.book.resolve(key: "2") }
        #expect(error?.message.contains("#N or id:N") == true)
        #expect(try fixture.book.resolve(key: "ext:nobody") == nil)
    }
}
