import LedgerDomain
@testable import LedgerProjections
import Testing

/// One operator's behaviour: values for which it holds and fails, a missing value and a value
/// of the wrong type.
struct OperatorCase: Sendable, CustomTestStringConvertible {
    let rule: String
    let field: String
    let holds: [FieldValue]
    let fails: [FieldValue]
    let missing: Bool
    let wrongType: FieldValue
    let wrongTypeHolds: Bool

    var testDescription: String { rule }

    init(_ rule: String, holds: [FieldValue], fails: [FieldValue], missing: Bool = false, wrongType: FieldValue, wrongTypeHolds: Bool = false) {
        self.rule = rule
        field = rule.split(separator: "\"")[3].description
        self.holds = holds
        self.fails = fails
        self.missing = missing
        self.wrongType = wrongType
        self.wrongTypeHolds = wrongTypeHolds
    }
}

@Suite struct FieldOperatorTests {
    static let cases: [OperatorCase] = [
        OperatorCase(#"{"field": "tier", "op": "=", "value": "gold"}"#,
                     holds: [text("gold")], fails: [text("Gold"), text("silver")], wrongType: Events.number("5")),
        OperatorCase(#"{"field": "tier", "op": "!=", "value": "gold"}"#,
                     holds: [text("silver")], fails: [text("gold")], missing: true, wrongType: Events.number("5"), wrongTypeHolds: true),
        OperatorCase(#"{"field": "score", "op": "<", "value": 10}"#,
                     holds: [Events.number("9.5"), Events.number("-3")], fails: [Events.number("10"), Events.number("11")], wrongType: text("5")),
        OperatorCase(#"{"field": "score", "op": "<=", "value": 10}"#,
                     holds: [Events.number("10"), Events.number("-1")], fails: [Events.number("10.01")], wrongType: text("5")),
        OperatorCase(#"{"field": "score", "op": ">", "value": 10}"#,
                     holds: [Events.number("10.5")], fails: [Events.number("10"), Events.number("2")], wrongType: text("50")),
        OperatorCase(#"{"field": "score", "op": ">=", "value": 10}"#,
                     holds: [Events.number("10"), Events.number("100")], fails: [Events.number("9.99")], wrongType: text("50")),
        OperatorCase(#"{"field": "score", "op": "between", "value": [10, 20]}"#,
                     holds: [Events.number("10"), Events.number("15"), Events.number("20")], fails: [Events.number("9"), Events.number("20.5")], wrongType: text("15")),
        OperatorCase(#"{"field": "tier", "op": "in", "value": ["gold", "platinum"]}"#,
                     holds: [text("gold"), text("platinum")], fails: [text("silver")], wrongType: .bool(true)),
        OperatorCase(#"{"field": "tier", "op": "notIn", "value": ["gold", "platinum"]}"#,
                     holds: [text("silver")], fails: [text("gold")], missing: true, wrongType: .bool(true), wrongTypeHolds: true),
        OperatorCase(#"{"field": "tier", "op": "contains", "value": "ol"}"#,
                     holds: [text("gold"), text("ol")], fails: [text("silver"), text("OL")], wrongType: Events.number("101")),
        OperatorCase(#"{"field": "tier", "op": "startsWith", "value": "go"}"#,
                     holds: [text("gold")], fails: [text("agog"), text("g")], wrongType: Events.number("1")),
        OperatorCase(#"{"field": "tier", "op": "endsWith", "value": "ld"}"#,
                     holds: [text("gold"), text("ld")], fails: [text("lda"), text("d")], wrongType: Events.number("1")),
        OperatorCase(#"{"field": "tier", "op": "regex", "value": "^g.+d$"}"#,
                     holds: [text("gold"), text("gd0d")], fails: [text("golden"), text("gd")], wrongType: day("2026-01-01")),
        OperatorCase(#"{"field": "tier", "op": "empty"}"#,
                     holds: [text("")], fails: [text("gold")], missing: true, wrongType: Events.number("0")),
        OperatorCase(#"{"field": "tier", "op": "notEmpty"}"#,
                     holds: [text("gold")], fails: [text("")], missing: false, wrongType: Events.number("0"), wrongTypeHolds: true),
        OperatorCase(#"{"field": "joined", "op": "before", "value": "2026-01-01"}"#,
                     holds: [day("2025-12-31"), day("1990-05-05")], fails: [day("2026-01-01"), day("2026-01-02")], wrongType: text("2025-01-01")),
        OperatorCase(#"{"field": "joined", "op": "after", "value": "2026-01-01"}"#,
                     holds: [day("2026-01-02")], fails: [day("2026-01-01"), day("2025-12-31")], wrongType: text("2027-01-01")),
        OperatorCase(#"{"field": "joined", "op": "=", "value": "2026-01-01"}"#,
                     holds: [day("2026-01-01")], fails: [day("2026-01-02")], wrongType: text("2026-01-01")),
        OperatorCase(#"{"field": "joined", "op": "withinLastDays", "value": 7}"#,
                     holds: [day("2026-03-10"), day("2026-03-03")], fails: [day("2026-03-02"), day("2026-03-11")], wrongType: text("2026-03-09")),
        OperatorCase(#"{"field": "birthDate", "op": "birthdayWithinDays", "value": 7}"#,
                     holds: [day("1990-03-10"), day("1990-03-17"), day("2000-03-12")], fails: [day("1990-03-18"), day("1990-03-09")], wrongType: text("1990-03-10")),
        OperatorCase(#"{"field": "birthDate", "op": "ageBetween", "value": [18, 30]}"#,
                     holds: [day("2008-03-10"), day("1995-03-11"), day("2000-01-01")], fails: [day("2008-03-11"), day("1995-03-10"), day("2030-01-01")], wrongType: text("2000-01-01")),
        OperatorCase(#"{"field": "vip", "op": "=", "value": true}"#,
                     holds: [.bool(true)], fails: [.bool(false)], wrongType: text("true")),
    ]

    @Test(arguments: cases)
    func operatorHoldsFailsAndTreatsMissingAndWrongTypes(_ row: OperatorCase) throws {
        for value in row.holds {
            #expect(try holds(row.rule, contact(row.field, value)), "should hold for \(value)")
        }
        for value in row.fails {
            #expect(try !holds(row.rule, contact(row.field, value)), "should fail for \(value)")
        }
        #expect(try holds(row.rule, contact(row.field, nil)) == row.missing, "missing value")
        #expect(try holds(row.rule, contact(row.field, row.wrongType)) == row.wrongTypeHolds, "wrong type \(row.wrongType)")
        // Wrapped in not, each answer turns over.
        let negated = #"{"not": \#(row.rule)}"#
        for value in row.holds {
            #expect(try !holds(negated, contact(row.field, value)))
        }
        #expect(try holds(negated, contact(row.field, nil)) == !row.missing)
    }

    @Test func twentyNinthOfFebruaryIsTheFirstOfMarchInCommonYears() throws {
        let born = contact("birthDate", day("2000-02-29"))
        // 2027 is a common year: the birthday is 1 March, 4 days after 25 February.
        let common = microseconds("2027-02-25T09:00:00Z")
        #expect(try holds(#"{"field": "birthDate", "op": "birthdayWithinDays", "value": 4}"#, born, now: common))
        #expect(try !holds(#"{"field": "birthDate", "op": "birthdayWithinDays", "value": 3}"#, born, now: common))
        // 2028 is a leap year: 29 February, 4 days after 25 February, and 1 March is not it.
        let leap = microseconds("2028-02-25T09:00:00Z")
        #expect(try holds(#"{"field": "birthDate", "op": "birthdayWithinDays", "value": 4}"#, born, now: leap))
        #expect(try !holds(#"{"field": "birthDate", "op": "birthdayWithinDays", "value": 3}"#, born, now: leap))
        // Ages turn over on 1 March in common years.
        let adult = #"{"field": "birthDate", "op": "ageBetween", "value": [18, 18]}"#
        let leapling = contact("birthDate", day("2008-02-29"))
        #expect(try !holds(adult, leapling, now: microseconds("2026-02-28T23:00:00Z")))
        #expect(try holds(adult, leapling, now: microseconds("2026-03-01T00:00:00Z")))
        // The next birthday after this year's has passed is next year's.
        #expect(try holds(#"{"field": "birthDate", "op": "birthdayWithinDays", "value": 2}"#, contact("birthDate", day("1980-01-01")), now: microseconds("2026-12-30T00:00:00Z")))
    }

    @Test func contactTimesCompareAsTimes() throws {
        let state = contact("tier", text("gold"))
        // The fold's first event is at the tests' base time, 2026-11-29.
        #expect(try holds(#"{"field": "createdAt", "op": "after", "value": "2026-11-28"}"#, state))
        #expect(try !holds(#"{"field": "createdAt", "op": "before", "value": "2026-11-28T23:59:59Z"}"#, state))
        #expect(try holds(#"{"field": "createdAt", "op": "withinLastDays", "value": 1}"#, state, now: microseconds("2026-11-29T12:00:00Z")))
        #expect(try !holds(#"{"field": "createdAt", "op": "withinLastDays", "value": 1}"#, state, now: microseconds("2026-12-01T00:00:00Z")))
        #expect(try holds(#"{"field": "updatedAt", "op": "between", "value": ["2026-11-29", "2026-11-30"]}"#, state))
    }

    @Test func primaryIdentifiersReadAsText() throws {
        let state = fold([Events.created(), Events.added(.email, "old@example.org"), Events.added(.email, "olena@example.com")])
        #expect(try holds(#"{"field": "email", "op": "endsWith", "value": "@example.com"}"#, state))
        #expect(try !holds(#"{"field": "email", "op": "contains", "value": "old@"}"#, state))
        #expect(try holds(#"{"field": "phone", "op": "empty"}"#, state))
    }
}
