import Foundation
import LedgerDomain

extension SegmentRule {
    /// The deepest nesting of `all`, `any` and `not` a document may have.
    public static let maxDepth = 64
    /// The largest rule document read, in bytes.
    public static let maxDocumentBytes = 1 << 20

    /// Reads a rule document. `fieldTypes` are the declared custom fields: a condition on a
    /// field that is neither standard nor declared, or a value of another type than the
    /// field's, is an error naming its JSON path.
    public init(json bytes: [UInt8], fieldTypes: [String: FieldType]) throws(SegmentRuleError) {
        guard bytes.count <= Self.maxDocumentBytes else {
            throw SegmentRuleError("$", "the rule document is \(bytes.count) bytes; at most \(Self.maxDocumentBytes) are read")
        }
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
        } catch {
            throw SegmentRuleError("$", "not JSON: \(Self.decodingProblem(error))")
        }
        var parser = RuleParser(fieldTypes: fieldTypes)
        self = try parser.rule(value, path: "$", depth: 0)
    }

    /// Where JSONDecoder stopped, without the document's text.
    private static func decodingProblem(_ error: any Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error {
            if let underlying = context.underlyingError as NSError?, let detail = underlying.userInfo[NSDebugDescriptionErrorKey] as? String {
                return detail
            }
            return context.debugDescription
        }
        return "the document could not be read"
    }
}

/// Turns a JSON value into a rule, checking names, operators and operand types as it goes.
struct RuleParser {
    let fieldTypes: [String: FieldType]

    /// The type a rule field's values have: a field type, or a time.
    enum Kind: Equatable {
        case value(FieldType)
        case time

        var label: String {
            switch self {
            case .value(let type): type.label
            case .time: "time"
            }
        }
    }

    mutating func rule(_ value: JSONValue, path: String, depth: Int) throws(SegmentRuleError) -> SegmentRule {
        guard depth <= SegmentRule.maxDepth else {
            throw SegmentRuleError(path, "nested deeper than \(SegmentRule.maxDepth) levels")
        }
        guard case .object(let object) = value else {
            throw SegmentRuleError(path, "a condition is a JSON object, got \(Self.kind(of: value))")
        }
        let heads = ["all", "any", "not", "field", "consent", "has", "segment", "history"]
        let present = heads.filter { object[$0] != nil }
        guard present.count == 1, let head = present.first else {
            if present.isEmpty {
                throw SegmentRuleError(path, "a condition needs one of \(heads.joined(separator: ", ")); got \(Self.keys(object))")
            }
            throw SegmentRuleError(path, "a condition has one of \(present.joined(separator: ", ")), not several")
        }
        switch head {
        case "all", "any":
            try Self.only([head], in: object, path: path)
            guard case .array(let items) = object[head] else {
                throw SegmentRuleError("\(path).\(head)", "a list of conditions, got \(Self.kind(of: object[head]))")
            }
            var rules = [SegmentRule]()
            for (index, item) in items.enumerated() {
                rules.append(try rule(item, path: "\(path).\(head)[\(index)]", depth: depth + 1))
            }
            return head == "all" ? .all(rules) : .any(rules)
        case "not":
            try Self.only(["not"], in: object, path: path)
            return .not(try rule(object["not"] ?? .null, path: "\(path).not", depth: depth + 1))
        case "field":
            return .field(try fieldCondition(object, path: path))
        case "consent":
            try Self.only(["consent"], in: object, path: path)
            return .consent(try consentCondition(object["consent"] ?? .null, path: "\(path).consent"))
        case "has":
            try Self.only(["has"], in: object, path: path)
            let name = try Self.string(object["has"], path: "\(path).has")
            if let kind = RuleField.identifierNames[name] { return .hasIdentifier(kind) }
            if name == "webpushToken" {
                throw SegmentRuleError("\(path).has", "web-push tokens are not kept on contacts by this build; has takes email, phone or externalId")
            }
            throw SegmentRuleError("\(path).has", "unknown identifier \(SegmentRuleError.quoted(name)); one of email, phone, externalId")
        case "segment":
            try Self.only(["segment"], in: object, path: path)
            let name = try Self.string(object["segment"], path: "\(path).segment")
            if let problem = SegmentName.problem(name) { throw SegmentRuleError("\(path).segment", problem) }
            return .segment(name)
        default:
            try Self.only(["history"], in: object, path: path)
            return .history(try historyCondition(object["history"] ?? .null, path: "\(path).history"))
        }
    }

    // MARK: Fields

    private func fieldCondition(_ object: [String: JSONValue], path: String) throws(SegmentRuleError) -> FieldCondition {
        let name = try Self.string(object["field"], path: "\(path).field")
        let (field, kind) = try resolve(name, path: "\(path).field")
        let opName = try Self.string(object["op"], path: "\(path).op")
        let valuePath = "\(path).value"
        let noValue: Set<String> = ["empty", "notEmpty"]
        try Self.only(noValue.contains(opName) ? ["field", "op"] : ["field", "op", "value"], in: object, path: path)
        let operand = object["value"]
        if !noValue.contains(opName), operand == nil {
            throw SegmentRuleError(path, "op \(opName) needs a value")
        }
        func allowed(_ kinds: [Kind]) throws(SegmentRuleError) {
            guard kinds.contains(kind) else {
                throw SegmentRuleError("\(path).op", "\(opName) does not apply to \(name), a \(kind.label) field")
            }
        }
        let op: FieldOperator
        switch opName {
        case "=", "!=", "<", "<=", ">", ">=":
            if ["<", "<=", ">", ">="].contains(opName) { try allowed([.value(.text), .value(.number), .value(.date), .time]) }
            let value = try literal(operand, kind: kind, path: valuePath, field: name)
            switch opName {
            case "=": op = .equals(value)
            case "!=": op = .notEquals(value)
            case "<": op = .less(value)
            case "<=": op = .lessOrEqual(value)
            case ">": op = .greater(value)
            default: op = .greaterOrEqual(value)
            }
        case "between":
            try allowed([.value(.text), .value(.number), .value(.date), .time])
            let pair = try Self.array(operand, path: valuePath, count: 2)
            op = .between(
                try literal(pair[0], kind: kind, path: "\(valuePath)[0]", field: name),
                try literal(pair[1], kind: kind, path: "\(valuePath)[1]", field: name))
        case "in", "notIn":
            let items = try Self.array(operand, path: valuePath, count: nil)
            guard !items.isEmpty else { throw SegmentRuleError(valuePath, "an empty list matches nothing; give at least one value") }
            var values = [RuleValue]()
            for (index, item) in items.enumerated() {
                values.append(try literal(item, kind: kind, path: "\(valuePath)[\(index)]", field: name))
            }
            op = opName == "in" ? .in(values) : .notIn(values)
        case "contains", "startsWith", "endsWith", "regex":
            try allowed([.value(.text)])
            let text = try Self.string(operand, path: valuePath)
            switch opName {
            case "contains": op = .contains(text)
            case "startsWith": op = .startsWith(text)
            case "endsWith": op = .endsWith(text)
            default:
                do {
                    _ = try NSRegularExpression(pattern: text)
                } catch {
                    throw SegmentRuleError(valuePath, "not a regular expression (ICU syntax): \(SegmentRuleError.quoted(text))")
                }
                op = .regex(text)
            }
        case "empty", "notEmpty":
            guard kind != .time else { throw SegmentRuleError("\(path).op", "\(name) always has a value") }
            op = opName == "empty" ? .empty : .notEmpty
        case "before", "after":
            try allowed([.value(.date), .time])
            let value = try literal(operand, kind: kind, path: valuePath, field: name)
            op = opName == "before" ? .before(value) : .after(value)
        case "withinLastDays":
            try allowed([.value(.date), .time])
            op = .withinLastDays(try Self.days(operand, path: valuePath))
        case "birthdayWithinDays":
            try allowed([.value(.date)])
            op = .birthdayWithinDays(try Self.days(operand, path: valuePath))
        case "ageBetween":
            try allowed([.value(.date)])
            let pair = try Self.array(operand, path: valuePath, count: 2)
            let low = try Self.days(pair[0], path: "\(valuePath)[0]", limit: 200)
            let high = try Self.days(pair[1], path: "\(valuePath)[1]", limit: 200)
            guard low <= high else { throw SegmentRuleError(valuePath, "the youngest age comes first: [\(low), \(high)] is empty") }
            op = .ageBetween(low, high)
        default:
            throw SegmentRuleError("\(path).op", "unknown operator \(SegmentRuleError.quoted(opName)); one of =, !=, <, <=, >, >=, between, in, notIn, contains, startsWith, endsWith, regex, empty, notEmpty, before, after, withinLastDays, birthdayWithinDays, ageBetween")
        }
        return FieldCondition(field: field, op: op)
    }

    /// The field a name means, and the type of its values.
    private func resolve(_ name: String, path: String) throws(SegmentRuleError) -> (RuleField, Kind) {
        if let standard = StandardField(rawValue: name) { return (.contact(.standard(standard)), .value(standard.valueType)) }
        if name == "createdAt" { return (.createdAt, .time) }
        if name == "updatedAt" { return (.updatedAt, .time) }
        if let kind = RuleField.identifierNames[name] { return (.identifier(kind), .value(.text)) }
        if let type = fieldTypes[name] { return (.contact(.custom(name)), .value(type)) }
        throw SegmentRuleError(path, "no field \(SegmentRuleError.quoted(name)): not a standard field, createdAt, updatedAt, email, phone, externalId, or a declared custom field (ledger field define)")
    }

    /// An operand of the field's type: a string for text, a number, a boolean, a `YYYY-MM-DD`
    /// date, or for a time a date or an ISO 8601 time.
    private func literal(_ value: JSONValue?, kind: Kind, path: String, field: String) throws(SegmentRuleError) -> RuleValue {
        let wrong = SegmentRuleError(path, "\(field) is a \(kind.label) field; \(Self.kind(of: value)) is not a \(kind.label)")
        switch (kind, value) {
        case (.value(.text), .string(let text)?):
            return .text(text, date: nil, time: nil)
        case (.value(.number), .number(let number)?):
            guard number.isFinite else { throw wrong }
            return .number(number)
        case (.value(.bool), .bool(let bool)?):
            return .bool(bool)
        case (.value(.date), .string(let text)?):
            guard let date = CalendarDate(iso8601: text) else {
                throw SegmentRuleError(path, "\(field) is a date field; \(SegmentRuleError.quoted(text)) is not a date YYYY-MM-DD")
            }
            return .text(text, date: date, time: nil)
        case (.time, .string(let text)?):
            guard let time = Timestamp.parse(text) else {
                throw SegmentRuleError(path, "\(field) is a time; \(SegmentRuleError.quoted(text)) is not an ISO 8601 date or time")
            }
            return .text(text, date: CalendarDate(iso8601: text), time: time)
        default:
            throw wrong
        }
    }

    // MARK: Consent

    private func consentCondition(_ value: JSONValue, path: String) throws(SegmentRuleError) -> ConsentCondition {
        guard case .object(let object) = value else {
            throw SegmentRuleError(path, "an object with channel, status and optionally purpose, got \(Self.kind(of: value))")
        }
        try Self.only(["channel", "purpose", "status"], in: object, path: path)
        let channelName = try Self.string(object["channel"], path: "\(path).channel")
        guard let channel = ConsentChannel(rawValue: channelName) else {
            throw SegmentRuleError("\(path).channel", "unknown channel \(SegmentRuleError.quoted(channelName)); one of \(ConsentChannel.allCases.map(\.label).joined(separator: ", "))")
        }
        let purpose = try object["purpose"].map { value throws(SegmentRuleError) in try Self.string(value, path: "\(path).purpose") }
        let statusName = try Self.string(object["status"], path: "\(path).status")
        guard let status = ConsentCondition.Wanted(rawValue: statusName) else {
            throw SegmentRuleError("\(path).status", "unknown status \(SegmentRuleError.quoted(statusName)); one of \(ConsentCondition.Wanted.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return ConsentCondition(channel: channel, purpose: purpose, status: status)
    }

    // MARK: History

    private func historyCondition(_ value: JSONValue, path: String) throws(SegmentRuleError) -> HistoryCondition {
        guard case .object(let object) = value else {
            throw SegmentRuleError(path, "an object with an event, got \(Self.kind(of: value))")
        }
        let event = try Self.string(object["event"], path: "\(path).event")
        switch event {
        case "imported":
            try Self.only(["event", "withinDays", "file"], in: object, path: path)
            let file = try object["file"].map { value throws(SegmentRuleError) in try Self.string(value, path: "\(path).file") }
            return .imported(withinDays: try Self.days(object["withinDays"], path: "\(path).withinDays"), file: file)
        case "field-changed":
            try Self.only(["event", "field", "since", "withinDays"], in: object, path: path)
            let name = try Self.string(object["field"], path: "\(path).field")
            guard case (.contact(let field), _) = try resolve(name, path: "\(path).field") else {
                throw SegmentRuleError("\(path).field", "\(name) is not a field events change; name a standard or custom field")
            }
            switch (object["since"], object["withinDays"]) {
            case (let since?, nil):
                let text = try Self.string(since, path: "\(path).since")
                guard let time = Timestamp.parse(text) else {
                    throw SegmentRuleError("\(path).since", "\(SegmentRuleError.quoted(text)) is not an ISO 8601 date or time")
                }
                return .fieldChanged(field, since: time)
            case (nil, let days?):
                return .fieldChangedWithin(field, days: try Self.days(days, path: "\(path).withinDays"))
            default:
                throw SegmentRuleError(path, "field-changed takes since or withinDays (one of them)")
            }
        case "consent-withdrawn":
            try Self.only(["event", "withinDays", "channel"], in: object, path: path)
            var channel: ConsentChannel?
            if let value = object["channel"] {
                let name = try Self.string(value, path: "\(path).channel")
                guard let known = ConsentChannel(rawValue: name) else {
                    throw SegmentRuleError("\(path).channel", "unknown channel \(SegmentRuleError.quoted(name)); one of \(ConsentChannel.allCases.map(\.label).joined(separator: ", "))")
                }
                channel = known
            }
            return .consentWithdrawn(withinDays: try Self.days(object["withinDays"], path: "\(path).withinDays"), channel: channel)
        case "created":
            try Self.only(["event", "actor"], in: object, path: path)
            let text = try Self.string(object["actor"], path: "\(path).actor")
            let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard let kind = Actor.Kind(label: String(parts[0])) else {
                throw SegmentRuleError("\(path).actor", "\(SegmentRuleError.quoted(text)) names no kind of actor; write kind:name or a kind (api-key, user, form, system)")
            }
            return .createdBy(ActorMatch(kind: kind.rawValue, name: parts.count == 2 ? String(parts[1]) : nil))
        case "last-changed":
            try Self.only(["event", "via"], in: object, path: path)
            let via = try Self.string(object["via"], path: "\(path).via")
            let sources = HistoryCondition.sourceKinds.map(\.kindLabel)
            guard sources.contains(via) else {
                throw SegmentRuleError("\(path).via", "unknown source \(SegmentRuleError.quoted(via)); one of \(sources.joined(separator: ", "))")
            }
            return .lastChangedVia(via)
        default:
            throw SegmentRuleError("\(path).event", "unknown history event \(SegmentRuleError.quoted(event)); one of imported, field-changed, consent-withdrawn, created, last-changed")
        }
    }

    // MARK: Shapes

    static func kind(of value: JSONValue?) -> String {
        switch value {
        case nil: "nothing"
        case .null?: "null"
        case .bool?: "a boolean"
        case .number?: "a number"
        case .string(let text)?: "the string \(SegmentRuleError.quoted(text))"
        case .array?: "a list"
        case .object?: "an object"
        }
    }

    static func keys(_ object: [String: JSONValue]) -> String {
        object.isEmpty ? "an empty object" : object.keys.sorted().map { SegmentRuleError.quoted($0) }.joined(separator: ", ")
    }

    static func only(_ allowed: Set<String>, in object: [String: JSONValue], path: String) throws(SegmentRuleError) {
        if let extra = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw SegmentRuleError("\(path).\(extra)", "not part of this condition (it takes \(allowed.sorted().joined(separator: ", ")))")
        }
    }

    static func string(_ value: JSONValue?, path: String) throws(SegmentRuleError) -> String {
        guard case .string(let text)? = value else { throw SegmentRuleError(path, "a string, got \(kind(of: value))") }
        return text
    }

    static func array(_ value: JSONValue?, path: String, count: Int?) throws(SegmentRuleError) -> [JSONValue] {
        guard case .array(let items)? = value else { throw SegmentRuleError(path, "a list, got \(kind(of: value))") }
        if let count, items.count != count { throw SegmentRuleError(path, "a list of \(count) values, got \(items.count)") }
        return items
    }

    /// A whole number from 0 to `limit` (100 years of days by default).
    static func days(_ value: JSONValue?, path: String, limit: Int = 36_600) throws(SegmentRuleError) -> Int {
        guard case .number(let number)? = value, number == number.rounded(), number >= 0, number <= Double(limit) else {
            throw SegmentRuleError(path, "a whole number from 0 to \(limit), got \(kind(of: value))")
        }
        return Int(number)
    }
}
