import LedgerContacts
import LedgerDomain
import LedgerIdentity
import Testing

@Suite("Contact errors keep their cause", .serialized)
struct ContactErrorTests {
    @Test("a bad e-mail and a field that breaks its rule are refused with the error underneath kept")
    func causeKept() throws {
        let fixture = try Fixture()
        let email = #expect(throws: ContactError.self) { try fixture.upsert(ContactInput(email: "not-an-email")) }
        #expect(email?.code == .invalidIdentifier)
        #expect(email?.cause is EmailAddressError, "\(String(describing: email?.cause))")
        let field = #expect(throws: ContactError.self) {
            try fixture.upsert(ContactInput(email: "a@example.com", fields: [(.standard(.firstName), .text(String(repeating: "x", count: 5_000)))]))
        }
        #expect(field?.code == .invalidField)
        #expect(field?.cause is FieldRuleViolation, "\(String(describing: field?.cause))")
    }
}
