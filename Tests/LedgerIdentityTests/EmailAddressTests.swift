import LedgerIdentity
import Testing

/// One row of a rejection table: written address and the error code it must give.
struct RejectedEmailCase: CustomTestStringConvertible, Sendable {
    let text: String
    let code: EmailAddressError.Code
    var testDescription: String { "\(text.debugDescription) -> \(code)" }
}

@Suite("EmailAddress")
struct EmailAddressTests {
    @Test(arguments: [
        ("ivan@example.com", "ivan@example.com"),
        // Lower-case but padded, and trimmed with one capital last: each made anew, not the text.
        (" ivan@example.com", "ivan@example.com"),
        ("ivan@example.coM", "ivan@example.com"),
        ("  Ivan.Petrenko@Gmail.COM \n", "ivan.petrenko@gmail.com"),
        ("\tOLENA@UKR.NET", "olena@ukr.net"),
        ("o'brien+news@mail.example.co.uk", "o'brien+news@mail.example.co.uk"),
        ("a!#$%&'*+/=?^_`{|}~-z@example.org", "a!#$%&'*+/=?^_`{|}~-z@example.org"),
        ("user@xn--80ak6aa92e.com", "user@xn--80ak6aa92e.com"),
        ("user@my-host.example.com", "user@my-host.example.com"),
        ("a@b.cd", "a@b.cd"),
        ("ivan@i.ua", "ivan@i.ua"),
        ("ivan@mail.example123.com", "ivan@mail.example123.com"),
        // .co is a live TLD: not treated as a typo of gmail.com.
        ("ivan@gmail.co", "ivan@gmail.co"),
    ])
    func acceptsAndNormalizes(_ text: String, _ expected: String) throws {
        #expect(try EmailAddress(validating: text).value == expected)
    }

    @Test func splitsIntoLocalPartAndDomain() throws {
        let address = try EmailAddress(validating: " Ivan.P@Example.COM ")
        #expect(address.localPart == "ivan.p")
        #expect(address.domain == "example.com")
    }

    @Test func equalAfterNormalization() throws {
        #expect(try EmailAddress(validating: "IVAN@example.com") == EmailAddress(validating: " ivan@EXAMPLE.com"))
    }

    @Test(arguments: [
        RejectedEmailCase(text: "", code: .empty),
        RejectedEmailCase(text: " \t\n", code: .empty),
        RejectedEmailCase(text: "not-an-email", code: .notAnEmail),
        RejectedEmailCase(text: "ivan petrenko", code: .notAnEmail),
        RejectedEmailCase(text: "ivan@", code: .emptyDomain),
        RejectedEmailCase(text: "@gmail.com", code: .emptyLocalPart),
        RejectedEmailCase(text: "ivan@@gmail.com", code: .multipleAtSigns),
        RejectedEmailCase(text: "a@b@example.com", code: .multipleAtSigns),
        RejectedEmailCase(text: "ivan petrenko@gmail.com", code: .containsWhitespace),
        RejectedEmailCase(text: "ivan@gmail .com", code: .containsWhitespace),
        RejectedEmailCase(text: "ivan@gmail", code: .domainWithoutDot),
        RejectedEmailCase(text: "ivan@localhost", code: .domainWithoutDot),
        RejectedEmailCase(text: "iv<an@gmail.com", code: .invalidCharacters),
        RejectedEmailCase(text: "ivan,petrenko@gmail.com", code: .invalidCharacters),
        RejectedEmailCase(text: "\"ivan\"@gmail.com", code: .invalidCharacters),
        RejectedEmailCase(text: "ivan@gm_ail.com", code: .invalidCharacters),
        RejectedEmailCase(text: "ivan@[192.168.0.1]", code: .invalidCharacters),
        RejectedEmailCase(text: "іван@gmail.com", code: .invalidCharacters),
        RejectedEmailCase(text: "ivan@пошта.укр", code: .invalidCharacters),
        RejectedEmailCase(text: "ivan..petrenko@gmail.com", code: .consecutiveDots),
        RejectedEmailCase(text: "ivan@gmail..com", code: .consecutiveDots),
        RejectedEmailCase(text: ".ivan@gmail.com", code: .dotAtEdge),
        RejectedEmailCase(text: "ivan.@gmail.com", code: .dotAtEdge),
        RejectedEmailCase(text: "ivan@.gmail.com", code: .dotAtEdge),
        RejectedEmailCase(text: "ivan@gmail.com.", code: .dotAtEdge),
        RejectedEmailCase(text: "ivan@-gmail.com", code: .hyphenAtLabelEdge),
        RejectedEmailCase(text: "ivan@gmail-.com", code: .hyphenAtLabelEdge),
        RejectedEmailCase(text: "ivan@example.-com", code: .hyphenAtLabelEdge),
        RejectedEmailCase(text: "ivan@example.123", code: .invalidTopLevelDomain),
        RejectedEmailCase(text: "ivan@192.168.1.1", code: .invalidTopLevelDomain),
        RejectedEmailCase(text: "ivan@example.c", code: .invalidTopLevelDomain),
        RejectedEmailCase(text: String(repeating: "a", count: 65) + "@example.com", code: .tooLong),
        RejectedEmailCase(text: "ivan@" + String(repeating: "a", count: 64) + ".com", code: .tooLong),
        RejectedEmailCase(
            text: "ivan@" + Array(repeating: String(repeating: "a", count: 60), count: 5).joined(separator: ".") + ".com",
            code: .tooLong
        ),
    ])
    func rejects(_ row: RejectedEmailCase) {
        let error = #expect(throws: EmailAddressError.self) { try EmailAddress(validating: row.text) }
        #expect(error?.code == row.code, "\(row.text.debugDescription): \(String(describing: error))")
        #expect(error?.suggestion == nil)
    }

    @Test func longestAllowedLocalPartIsAccepted() throws {
        let local = String(repeating: "a", count: 64)
        #expect(try EmailAddress(validating: local + "@example.com").localPart == local[...])
    }

    @Test func errorMessageSaysWhyAndQuotesTheTrimmedInput() {
        let error = #expect(throws: EmailAddressError.self) { try EmailAddress(validating: "  not-an-email ") }
        #expect(error?.code.description == "not-an-email")
        #expect(error?.message == "'not-an-email' is not an e-mail address: it has no @")
        #expect(error?.description == "not-an-email: 'not-an-email' is not an e-mail address: it has no @")
    }

    @Test func invalidCharacterIsNamedWhenItIsASCII() {
        let error = #expect(throws: EmailAddressError.self) { try EmailAddress(validating: "iv<an@gmail.com") }
        #expect(error?.message.hasSuffix("'<'") == true)
    }

    @Test func controlCharactersAreDescribedNotPrinted() {
        let error = #expect(throws: EmailAddressError.self) { try EmailAddress(validating: "iv\u{1}an@gmail.com") }
        #expect(error?.code == .invalidCharacters)
        #expect(error?.message.hasSuffix("a control character") == true)
    }
}
