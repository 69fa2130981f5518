import LedgerDomain
@testable import LedgerProjections
import Testing

/// Conditions on the contact as a whole, on history, and how they combine.
@Suite struct ContactConditionTests {
    static let promotions = ConsentScope(channel: .email, purpose: "promotions")

    @Test func consentPerChannelAndPurpose() throws {
        let confirmed = fold([Events.created(), Events.added(.email, "a@example.com"), Events.granted(.api, Events.newsletter)])
        let subscribed = fold([Events.created(), Events.granted(.import, Self.promotions)])
        let withdrawn = fold([Events.created(), Events.granted(.api), Events.withdrawn()])
        let none = fold([Events.created()])
        let rows: [(String, [Bool])] = [
            // confirmed, subscribed, withdrawn, none
            (#"{"consent": {"channel": "email", "status": "confirmed"}}"#, [true, false, false, false]),
            (#"{"consent": {"channel": "email", "status": "subscribed"}}"#, [true, true, false, false]),
            (#"{"consent": {"channel": "email", "status": "subscribed-unconfirmed"}}"#, [false, true, false, false]),
            (#"{"consent": {"channel": "email", "status": "unsubscribed"}}"#, [false, false, true, true]),
            (#"{"consent": {"channel": "email", "purpose": "promotions", "status": "unsubscribed"}}"#, [true, false, true, true]),
            (#"{"consent": {"channel": "email", "purpose": "newsletter", "status": "confirmed"}}"#, [true, false, false, false]),
            (#"{"consent": {"channel": "sms", "status": "subscribed"}}"#, [false, false, false, false]),
        ]
        for (rule, expected) in rows {
            let got = try [confirmed, subscribed, withdrawn, none].map { try holds(rule, $0) }
            #expect(got == expected, "\(rule)")
        }
    }

    @Test func hasIdentifier() throws {
        let state = fold([Events.created(), Events.added(.phone, "+380671234567")])
        #expect(try holds(#"{"has": "phone"}"#, state))
        #expect(try !holds(#"{"has": "email"}"#, state))
        #expect(try !holds(#"{"has": "externalId"}"#, state))
        let removed = fold([Events.removed(.phone, "+380671234567")], from: state, offset: 2)
        #expect(try !holds(#"{"has": "phone"}"#, removed))
    }

    @Test func staticAndDynamicSegments() throws {
        let state = fold([Events.created(), .segmentMemberAdded(SegmentMembership(segment: "spring"))])
        guard let state else { return }
        #expect(try holds(#"{"segment": "spring"}"#, state))
        #expect(try !holds(#"{"segment": "autumn"}"#, state))
        // A dynamic segment's membership comes from the context, in dependency order.
        let rule = CompiledRule(try parseRule(#"{"all": [{"segment": "spring"}, {"not": {"segment": "vip"}}]}"#), dynamic: ["vip": 0])
        var context = RuleContext(now: ruleNow, segments: 1)
        #expect(rule.matches(state, facts: SegmentFacts(), context: context))
        context.dynamicMembers[0] = true
        #expect(!rule.matches(state, facts: SegmentFacts(), context: context))
    }

    @Test func historyConditionsReadTheFacts() throws {
        let state = fold([Events.created()])
        var facts = SegmentFacts()
        let file = FactEnvelope(recordedAt: microseconds("2026-03-01T00:00:00Z"), actor: Actor(.user, "olena"), sourceKind: 1, file: "spring.csv")
        facts.record(Events.created(), envelope: file)
        facts.record(Events.set(.custom("city"), text("Lviv")), envelope: file)
        let api = FactEnvelope(recordedAt: microseconds("2026-03-08T00:00:00Z"), actor: Actor(.apiKey, "crm"), sourceKind: 2, file: nil)
        facts.record(Events.withdrawn(), envelope: api)
        let rows: [(String, Bool)] = [
            (#"{"history": {"event": "imported", "withinDays": 10}}"#, true),
            (#"{"history": {"event": "imported", "withinDays": 8}}"#, false),
            (#"{"history": {"event": "imported", "withinDays": 30, "file": "spring.csv"}}"#, true),
            (#"{"history": {"event": "imported", "withinDays": 30, "file": "autumn.csv"}}"#, false),
            (#"{"history": {"event": "field-changed", "field": "city", "since": "2026-03-01"}}"#, true),
            (#"{"history": {"event": "field-changed", "field": "city", "since": "2026-03-02"}}"#, false),
            (#"{"history": {"event": "field-changed", "field": "tier", "since": "2000-01-01"}}"#, false),
            (#"{"history": {"event": "field-changed", "field": "city", "withinDays": 10}}"#, true),
            (#"{"history": {"event": "field-changed", "field": "city", "withinDays": 9}}"#, false),
            (#"{"history": {"event": "consent-withdrawn", "withinDays": 3}}"#, true),
            (#"{"history": {"event": "consent-withdrawn", "withinDays": 2}}"#, false),
            (#"{"history": {"event": "consent-withdrawn", "withinDays": 5, "channel": "sms"}}"#, false),
            (#"{"history": {"event": "created", "actor": "user:olena"}}"#, true),
            (#"{"history": {"event": "created", "actor": "user"}}"#, true),
            (#"{"history": {"event": "created", "actor": "api-key"}}"#, false),
            (#"{"history": {"event": "last-changed", "via": "api"}}"#, true),
            (#"{"history": {"event": "last-changed", "via": "file"}}"#, false),
        ]
        for (rule, expected) in rows {
            #expect(try holds(rule, state, facts: facts) == expected, "\(rule)")
        }
        // No facts (a contact the log says nothing more about): every history condition fails.
        for (rule, _) in rows {
            #expect(try !holds(rule, state), "\(rule)")
        }
        // An erasure forgets them.
        facts.record(.contactErased(ContactErased(reason: "gdpr")), envelope: api)
        #expect(facts.isEmpty)
    }

    @Test func nestingCombines() throws {
        let gold = contact("tier", text("gold"))
        let rule = #"""
            {"any": [
              {"all": [{"field": "tier", "op": "=", "value": "gold"}, {"not": {"has": "email"}}]},
              {"all": []},
              {"any": []}
            ]}
            """#
        #expect(try holds(rule, gold))
        #expect(try !holds(#"{"any": []}"#, gold))
        #expect(try holds(#"{"all": []}"#, gold))
        #expect(try !holds(#"{"not": {"all": [{"has": "phone"}, {"field": "tier", "op": "=", "value": "gold"}]}}"#, fold([Events.created(), Events.added(.phone, "+380671234567"), Events.set(.custom("tier"), text("gold"))])))
    }

    @Test func erasedAndMergedContactsAreInNoSegment() throws {
        let erased = fold([Events.created(), .contactErased(ContactErased(reason: "gdpr"))])
        #expect(try !holds(#"{"all": []}"#, erased))
        #expect(try !holds(#"{"field": "tier", "op": "empty"}"#, erased))
        let merged = fold([Events.created(), .contactMergedAway(ContactMergedAway(survivor: StreamID(7)))])
        #expect(try !holds(#"{"all": []}"#, merged))
    }
}

/// Which contact events re-evaluate which rules.
@Suite struct RuleReadsTests {
    @Test func aRuleIsAskedAgainOnlyWhenAnEventCanChangeIt() throws {
        let tier = RuleReads(try parseRule(#"{"all": [{"field": "tier", "op": "=", "value": "gold"}, {"consent": {"channel": "email", "status": "confirmed"}}]}"#))
        #expect(tier.affected(by: Events.set(.custom("tier"), text("gold"))))
        #expect(!tier.affected(by: Events.set(.custom("city"), text("Lviv"))))
        #expect(tier.affected(by: Events.granted(.api)))
        #expect(tier.affected(by: Events.withdrawn()))
        #expect(!tier.affected(by: Events.added(.email, "a@example.com")))
        #expect(!tier.affected(by: .segmentMemberAdded(SegmentMembership(segment: "x"))))
        #expect(tier.affected(by: .contactErased(ContactErased(reason: "r"))))
        let lastChange = RuleReads(try parseRule(#"{"history": {"event": "last-changed", "via": "api"}}"#))
        #expect(lastChange.affected(by: Events.set(.custom("city"), text("Lviv"))), "every event moves the last change")
        let identifiers = RuleReads(try parseRule(#"{"any": [{"has": "phone"}, {"field": "email", "op": "contains", "value": "@"}]}"#))
        #expect(identifiers.affected(by: Events.removed(.phone, "+380671234567")))
        #expect(!identifiers.affected(by: Events.set(.standard(.firstName), text("A"))))
        let changed = RuleReads(try parseRule(#"{"history": {"event": "field-changed", "field": "city", "withinDays": 3}}"#))
        #expect(changed.affected(by: Events.set(.custom("city"), nil)))
    }
}
