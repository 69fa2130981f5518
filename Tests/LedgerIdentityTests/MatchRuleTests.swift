import LedgerIdentity
import Testing

@Suite("MatchRule")
struct MatchRuleTests {
    @Test(arguments: [
        ("email", MatchRule.email),
        ("phone", MatchRule.phone),
        ("email-or-phone", MatchRule.emailOrPhone),
        ("external-id", MatchRule.externalId),
    ])
    func parsesCLISpellings(_ spelling: String, _ rule: MatchRule) throws {
        #expect(try MatchRule(parsing: spelling) == rule)
        #expect(rule.cliSpelling == spelling)
    }

    @Test func listsEverySpellingOnce() {
        #expect(MatchRule.cliSpellings == ["email", "phone", "email-or-phone", "external-id"])
    }

    @Test(arguments: ["", "Email", "emailOrPhone", "email_or_phone", "externalId", "external id", " phone", "sms"])
    func rejectsOtherSpellings(_ spelling: String) {
        let error = #expect(throws: MatchRuleError.self) { try MatchRule(parsing: spelling) }
        #expect(error?.spelling == spelling)
        #expect(
            error?.message == "unknown match rule '\(spelling)'; expected one of: email, phone, email-or-phone, external-id"
        )
    }
}
