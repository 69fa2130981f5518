import Foundation
import LedgerDomain
import LedgerForms
import LedgerStore
import Testing

/// Forms as versioned events: create, update (the wording's version follows its text), the
/// rules, and the table read back from the log.
@Suite("Form book")
struct FormBookTests {
    @Test("a form is created once; an update is a new version, and the wording version moves with its text")
    func versions() throws {
        let fixture = try FormFixture()
        let first = try fixture.form()
        #expect(first.version == 1)
        #expect(first.current.consentVersion == 1)
        #expect(first.stream.category == .form)
        #expect(throws: FormError.self) { try fixture.form() }
        let titled = try fixture.forms.update(name: "newsletter", actor: Actor(.user, "tester"), source: .cli(command: "test")) { $0.title = "Weekly news" }
        #expect(titled.version == 2)
        #expect(titled.current.consentVersion == 1, "the wording did not change")
        let reworded = try fixture.forms.update(name: "newsletter", actor: Actor(.user, "tester"), source: .cli(command: "test")) { $0.consentText = "New words." }
        #expect(reworded.version == 3)
        #expect(reworded.current.consentVersion == 2)
        let same = try fixture.forms.update(name: "newsletter", actor: Actor(.user, "tester"), source: .cli(command: "test")) { $0.consentText = "New words." }
        #expect(same.version == 3, "nothing changed, nothing recorded")
        #expect(reworded.definition(version: 1)?.consentText == "I agree to receive the newsletter.", "every version stays readable")
        let reread = try FormTable.load(from: fixture.ledger).forms["newsletter"]
        #expect(reread?.versions.count == 3)
        #expect(try fixture.events().filter { $0.type.name.hasPrefix("form.") }.count == 3)
    }

    @Test("definitions the rules refuse record nothing", arguments: [
        ("Bad Name", "email"), ("ok", "firstName"), ("ok", "email,email"), ("ok", "email,not a field"),
    ])
    func refused(name: String, fields: String) throws {
        let fixture = try FormFixture()
        #expect(throws: FormError.self) {
            let definition = FormDefinition(name: name, fields: try FormRules.fields(parsing: fields))
            _ = try fixture.forms.create(definition, actor: Actor(.user, "tester"), source: .cli(command: "test"))
        }
        #expect(try fixture.ledger.lastPosition() == 0)
    }

    @Test("a redirect and origins must be http(s) URLs; double opt-in needs an e-mail field")
    func urls() throws {
        let fixture = try FormFixture()
        for change in [
            { (form: inout FormDefinition) in form.redirectURL = "javascript:alert(1)" },
            { (form: inout FormDefinition) in form.allowedOrigins = ["https://shop.example.com/path"] },
            { (form: inout FormDefinition) in form.redirectURL = "https://x.example/a\r\nSet-Cookie: a=b" },
        ] {
            var definition = FormDefinition(name: "f", fields: try FormRules.fields(parsing: "email"))
            change(&definition)
            #expect(throws: FormError.self) { try fixture.forms.create(definition, actor: Actor(.user, "t"), source: .cli(command: "t")) }
        }
        let phoneOnly = FormDefinition(name: "p", fields: try FormRules.fields(parsing: "phone"), doubleOptIn: true)
        #expect(throws: FormError.self) { try fixture.forms.create(phoneOnly, actor: Actor(.user, "t"), source: .cli(command: "t")) }
        #expect(try fixture.ledger.lastPosition() == 0)
    }
}
