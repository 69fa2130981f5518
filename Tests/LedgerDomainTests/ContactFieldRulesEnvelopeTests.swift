import LedgerDomain
import Testing

/// Actor names and source texts are one line without control characters (issue 15, item 13).
@Suite("Field rules: the envelope's texts")
struct ContactFieldRulesEnvelopeTests {
    static let digest = FileDigest.zero

    @Test("ordinary actors and sources pass")
    func ordinary() throws {
        let rules = ContactFieldRules()
        try rules.validate(actor: Actor(.user, "maria"), source: .file(name: "контакти 2026.csv", sha256: Self.digest, row: 2))
        try rules.validate(actor: Actor(.apiKey, "crm-sync"), source: .api(key: "crm-sync", requestID: "req-1"))
        try rules.validate(actor: Actor(.system, "ledger"), source: .cli(command: "contact add"))
    }

    @Test("a control character in the actor or any source text is refused, naming which", arguments: [
        (Actor(.user, "mal\u{1B}[2Jlory"), Source.cli(command: "contact add"), "actor name"),
        (Actor(.user, "maria"), Source.file(name: "a\u{1B}]0;x\u{07}.csv", sha256: ContactFieldRulesEnvelopeTests.digest, row: 2), "source file name"),
        (Actor(.user, "maria"), Source.api(key: "k", requestID: "r\u{9B}1"), "source request id"),
        (Actor(.user, "maria"), Source.form(formID: "f\n", submissionID: "s"), "source form id"),
        (Actor(.user, "maria"), Source.system(reason: "merge\r"), "source reason"),
    ])
    func refused(actor: Actor, source: Source, subject: String) {
        #expect {
            try ContactFieldRules().validate(actor: actor, source: source)
        } throws: { error in
            (error as? FieldRuleViolation)?.description.hasPrefix(subject) == true
        }
    }
}
