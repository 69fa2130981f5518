import Foundation
import LedgerDomain

/// Field conditions. How a value that is missing, or of another type than the operand (the
/// rules are applied when writing, not when reading, so a stored value may be either):
/// `empty` holds for a missing value (and empty text); `!=` and `notIn` hold, being the
/// negations of `=` and `in`; every other operator does not hold.
extension CompiledRule {
    /// A compared operand, converted once.
    enum Operand: Sendable {
        case text(String)
        case number(Double)
        case date(Int64)
        case bool(Bool)
        case time(Int64)

        init(_ value: RuleValue, time: Bool) {
            switch value {
            case .text(let text, let date, let parsed):
                if time, let parsed { self = .time(parsed) }
                else if let date { self = .date(date.daysSinceEpoch) }
                else { self = .text(text) }
            case .number(let number): self = .number(number)
            case .bool(let bool): self = .bool(bool)
            }
        }
    }

    static func compileField<Subject: RuleSubject>(_ condition: FieldCondition) -> Test<Subject> {
        switch condition.field {
        case .createdAt:
            let test = timeTest(condition.op)
            return { state, _, context in test(state.createdAt, context) }
        case .updatedAt:
            let test = timeTest(condition.op)
            return { state, _, context in test(state.updatedAt, context) }
        case .contact(.standard(let field)):
            let test = valueTest(condition.op)
            return { state, _, context in test(state.standardFieldValue(field), context) }
        case .contact(.custom(let name)):
            let test = valueTest(condition.op)
            return { state, _, context in test(state.customFieldValue(name), context) }
        case .identifier(let kind):
            let test = valueTest(condition.op)
            return { state, _, context in test(state.primaryIdentifier(kind), context) }
        }
    }

    typealias ValueTest = @Sendable (FieldValue?, RuleContext) -> Bool

    /// How a value compares with an operand; nil when they cannot be compared (another type).
    @inline(__always)
    static func order(_ value: FieldValue, _ operand: Operand) -> Int? {
        switch (value, operand) {
        case (.text(let text), .text(let other)): return text == other ? 0 : (text < other ? -1 : 1)
        case (.number(let number), .number(let other)):
            let double = number.doubleValue
            return double == other ? 0 : (double < other ? -1 : 1)
        case (.date(let date), .date(let other)):
            return date.daysSinceEpoch == other ? 0 : (date.daysSinceEpoch < other ? -1 : 1)
        case (.bool(let bool), .bool(let other)): return bool == other ? 0 : (!bool ? -1 : 1)
        default: return nil
        }
    }

    static func valueTest(_ op: FieldOperator) -> ValueTest {
        func compared(_ value: RuleValue, _ holds: @escaping @Sendable (Int) -> Bool) -> ValueTest {
            let operand = Operand(value, time: false)
            return { value, _ in
                guard let value, let order = order(value, operand) else { return false }
                return holds(order)
            }
        }
        switch op {
        case .equals(let value): return compared(value) { $0 == 0 }
        case .notEquals(let value):
            let equal = compared(value) { $0 == 0 }
            return { !equal($0, $1) }
        case .less(let value): return compared(value) { $0 < 0 }
        case .lessOrEqual(let value): return compared(value) { $0 <= 0 }
        case .greater(let value): return compared(value) { $0 > 0 }
        case .greaterOrEqual(let value): return compared(value) { $0 >= 0 }
        case .between(let low, let high):
            let (from, to) = (Operand(low, time: false), Operand(high, time: false))
            return { value, _ in
                guard let value, let above = order(value, from), let below = order(value, to) else { return false }
                return above >= 0 && below <= 0
            }
        case .in(let values):
            let operands = values.map { Operand($0, time: false) }
            return { value, _ in
                guard let value else { return false }
                for operand in operands where order(value, operand) == 0 { return true }
                return false
            }
        case .notIn(let values):
            let inside = valueTest(.in(values))
            return { !inside($0, $1) }
        case .contains(let part):
            let needle = Array(part.utf8)
            return { value, _ in
                guard case .text(let text)? = value else { return false }
                return Self.utf8(text, contains: needle)
            }
        case .startsWith(let prefix):
            let needle = Array(prefix.utf8)
            return { value, _ in
                guard case .text(let text)? = value else { return false }
                return text.utf8.starts(with: needle)
            }
        case .endsWith(let suffix):
            let needle = Array(suffix.utf8)
            return { value, _ in
                guard case .text(let text)? = value else { return false }
                return text.utf8.reversed().starts(with: needle.reversed())
            }
        case .regex(let pattern):
            // Checked by the parser; a pattern that still fails matches nothing.
            let expression = try? NSRegularExpression(pattern: pattern)
            return { value, _ in
                guard case .text(let text)? = value, let expression else { return false }
                return expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
            }
        case .empty:
            return { value, _ in
                guard let value else { return true }
                if case .text(let text) = value { return text.isEmpty }
                return false
            }
        case .notEmpty:
            let empty = valueTest(.empty)
            return { !empty($0, $1) }
        case .before(let value): return compared(value) { $0 < 0 }
        case .after(let value): return compared(value) { $0 > 0 }
        case .withinLastDays(let days):
            let span = Int64(days)
            return { value, context in
                guard case .date(let date)? = value else { return false }
                return date.daysSinceEpoch <= context.today && context.today - date.daysSinceEpoch <= span
            }
        case .birthdayWithinDays(let days):
            let span = Int64(days)
            return { value, context in
                guard case .date(let date)? = value else { return false }
                return BirthdayArithmetic.daysUntilBirthday(born: date.daysSinceEpoch, today: context.today) <= span
            }
        case .ageBetween(let youngest, let oldest):
            return { value, context in
                guard case .date(let date)? = value,
                      let age = BirthdayArithmetic.age(born: date.daysSinceEpoch, today: context.today) else { return false }
                return age >= youngest && age <= oldest
            }
        }
    }

    typealias TimeTest = @Sendable (Int64, RuleContext) -> Bool

    /// Conditions on a contact's own times (`createdAt`, `updatedAt`), which are never missing.
    static func timeTest(_ op: FieldOperator) -> TimeTest {
        func compared(_ value: RuleValue, _ holds: @escaping @Sendable (Int64, Int64) -> Bool) -> TimeTest {
            guard case .time(let operand) = Operand(value, time: true) else { return { _, _ in false } }
            return { time, _ in holds(time, operand) }
        }
        switch op {
        case .equals(let value): return compared(value, ==)
        case .notEquals(let value): return compared(value, !=)
        case .less(let value), .before(let value): return compared(value, <)
        case .lessOrEqual(let value): return compared(value, <=)
        case .greater(let value), .after(let value): return compared(value, >)
        case .greaterOrEqual(let value): return compared(value, >=)
        case .between(let low, let high):
            let from = compared(low, >=)
            let to = compared(high, <=)
            return { from($0, $1) && to($0, $1) }
        case .in(let values):
            let tests = values.map { compared($0, ==) }
            return { time, context in tests.contains { $0(time, context) } }
        case .notIn(let values):
            let inside = timeTest(.in(values))
            return { !inside($0, $1) }
        case .withinLastDays(let days):
            let span = Int64(days) * microsecondsPerDay
            return { time, context in time <= context.now && context.now - time <= span }
        case .notEmpty:
            return { _, _ in true }
        case .empty, .contains, .startsWith, .endsWith, .regex, .birthdayWithinDays, .ageBetween:
            // Refused by the parser for times.
            return { _, _ in false }
        }
    }

    /// Whether `text`'s UTF-8 bytes contain `needle`'s (exact, case-sensitive).
    static func utf8(_ text: String, contains needle: [UInt8]) -> Bool {
        if needle.isEmpty { return true }
        var text = text
        return text.withUTF8 { haystack in
            guard haystack.count >= needle.count else { return false }
            let first = needle[0]
            var index = 0
            let last = haystack.count - needle.count
            while index <= last {
                if haystack[index] == first {
                    var matched = 1
                    while matched < needle.count && haystack[index + matched] == needle[matched] { matched += 1 }
                    if matched == needle.count { return true }
                }
                index += 1
            }
            return false
        }
    }
}

/// Birthdays and ages, from days since 1970.
enum BirthdayArithmetic {
    /// Days from `today` to the next anniversary of `born` (0 when it is today); 29 February
    /// counts as 1 March in common years.
    static func daysUntilBirthday(born: Int64, today: Int64) -> Int64 {
        let birth = Timestamp.civilDate(daysSinceEpoch: born)
        let now = Timestamp.civilDate(daysSinceEpoch: today)
        var next = anniversary(month: birth.month, day: birth.day, year: now.year)
        if next < today { next = anniversary(month: birth.month, day: birth.day, year: now.year + 1) }
        return next - today
    }

    /// Whole years from `born` to `today`, the birthday counted on 1 March in common years
    /// for 29 February; nil when `born` is after `today`.
    static func age(born: Int64, today: Int64) -> Int? {
        guard born <= today else { return nil }
        let birth = Timestamp.civilDate(daysSinceEpoch: born)
        let now = Timestamp.civilDate(daysSinceEpoch: today)
        let reached = anniversary(month: birth.month, day: birth.day, year: now.year) <= today
        return Int(now.year - birth.year) - (reached ? 0 : 1)
    }

    /// The day the anniversary of month/day falls on in `year`.
    static func anniversary(month: Int64, day: Int64, year: Int64) -> Int64 {
        if month == 2 && day == 29 && Timestamp.daysIn(month: 2, year: year) == 28 {
            return Timestamp.daysSinceEpoch(year: year, month: 3, day: 1)
        }
        return Timestamp.daysSinceEpoch(year: year, month: month, day: day)
    }
}
