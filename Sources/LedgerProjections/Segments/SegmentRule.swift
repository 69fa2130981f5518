import LedgerDomain

/// A dynamic segment's rule: conditions on a contact's fields, consent, identifiers, other
/// segments and the log's history, combined with `all`, `any` and `not` to any depth.
///
/// Read from its JSON document with `SegmentRule(json:fieldTypes:)`
/// (`Schemas/segment-rule.schema.json`), evaluated once compiled (`CompiledRule`).
public indirect enum SegmentRule: Hashable, Sendable {
    /// Every condition holds (an empty list holds).
    case all([SegmentRule])
    /// At least one condition holds (an empty list does not).
    case any([SegmentRule])
    /// The condition does not hold.
    case not(SegmentRule)
    /// A condition on one field's value.
    case field(FieldCondition)
    /// A condition on consent for a channel (and purpose).
    case consent(ConsentCondition)
    /// The contact has an identifier of this kind.
    case hasIdentifier(IdentifierKind)
    /// The contact is a member of another segment, static or dynamic.
    case segment(String)
    /// A condition on what the log recorded about the contact.
    case history(HistoryCondition)

    /// The segments this rule names, directly (for the cycle check and the evaluation order).
    public var segmentsNamed: Set<String> {
        switch self {
        case .all(let rules), .any(let rules): rules.reduce(into: Set()) { $0.formUnion($1.segmentsNamed) }
        case .not(let rule): rule.segmentsNamed
        case .segment(let name): [name]
        case .field, .consent, .hasIdentifier, .history: []
        }
    }

    /// Whether the rule reads the clock (the last N days, birthdays, ages): such a rule is
    /// re-evaluated by `ledger segment refresh`, not only when a contact changes.
    public var readsClock: Bool {
        switch self {
        case .all(let rules), .any(let rules): rules.contains { $0.readsClock }
        case .not(let rule): rule.readsClock
        case .field(let condition): condition.op.readsClock
        case .history(let condition): condition.readsClock
        case .consent, .hasIdentifier, .segment: false
        }
    }

    /// How many leaf conditions the rule has.
    public var conditionCount: Int {
        switch self {
        case .all(let rules), .any(let rules): rules.reduce(0) { $0 + $1.conditionCount }
        case .not(let rule): rule.conditionCount
        case .field, .consent, .hasIdentifier, .segment, .history: 1
        }
    }
}

/// A field a rule reads: a contact field, or one of the contact's own values.
public enum RuleField: Hashable, Sendable, CustomStringConvertible {
    /// A standard or custom field.
    case contact(ContactField)
    /// When the contact was created (a time).
    case createdAt
    /// When the contact last changed (a time).
    case updatedAt
    /// The primary identifier of a kind (text).
    case identifier(IdentifierKind)

    /// The name the rule document uses.
    public var description: String {
        switch self {
        case .contact(let field): field.name
        case .createdAt: "createdAt"
        case .updatedAt: "updatedAt"
        case .identifier(let kind): Self.identifierNames.first { $0.value == kind }?.key ?? "identifier"
        }
    }

    /// Identifier kinds by the name a rule gives them.
    static let identifierNames: [String: IdentifierKind] = ["email": .email, "phone": .phone, "externalId": .externalId]
}

/// A literal in a rule, typed as the document wrote it (a date is a string in date form).
public enum RuleValue: Hashable, Sendable, CustomStringConvertible {
    /// A JSON string; `date` when it is also `YYYY-MM-DD`, `time` when it is an ISO 8601 time.
    case text(String, date: CalendarDate?, time: Int64?)
    /// A JSON number.
    case number(Double)
    /// A JSON boolean.
    case bool(Bool)

    public var description: String {
        switch self {
        case .text(let text, _, _): "\"\(text)\""
        case .number(let number): number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        case .bool(let bool): String(bool)
        }
    }
}

/// One field's condition: the field and what is asked of its value.
public struct FieldCondition: Hashable, Sendable {
    /// The field.
    public var field: RuleField
    /// The operator and its operands.
    public var op: FieldOperator

    /// Describes a condition.
    public init(field: RuleField, op: FieldOperator) {
        self.field = field
        self.op = op
    }
}

/// What a field condition asks, spelled in the document's `op`.
public enum FieldOperator: Hashable, Sendable {
    case equals(RuleValue), notEquals(RuleValue)
    case less(RuleValue), lessOrEqual(RuleValue), greater(RuleValue), greaterOrEqual(RuleValue)
    /// Both ends included.
    case between(RuleValue, RuleValue)
    case `in`([RuleValue]), notIn([RuleValue])
    case contains(String), startsWith(String), endsWith(String)
    /// An ICU regular expression that matches somewhere in the text.
    case regex(String)
    case empty, notEmpty
    /// A date or time strictly before / after the operand.
    case before(RuleValue), after(RuleValue)
    /// A date or time within the last N days, today (or now) included.
    case withinLastDays(Int)
    /// A date whose next anniversary falls within the next N days, today included; 29 February
    /// counts as 1 March in common years.
    case birthdayWithinDays(Int)
    /// A date of birth giving an age in whole years from A to B, both included.
    case ageBetween(Int, Int)

    /// The `op` word.
    public var name: String {
        switch self {
        case .equals: "="
        case .notEquals: "!="
        case .less: "<"
        case .lessOrEqual: "<="
        case .greater: ">"
        case .greaterOrEqual: ">="
        case .between: "between"
        case .in: "in"
        case .notIn: "notIn"
        case .contains: "contains"
        case .startsWith: "startsWith"
        case .endsWith: "endsWith"
        case .regex: "regex"
        case .empty: "empty"
        case .notEmpty: "notEmpty"
        case .before: "before"
        case .after: "after"
        case .withinLastDays: "withinLastDays"
        case .birthdayWithinDays: "birthdayWithinDays"
        case .ageBetween: "ageBetween"
        }
    }

    /// Whether the answer changes with the day even when the contact does not.
    public var readsClock: Bool {
        switch self {
        case .withinLastDays, .birthdayWithinDays, .ageBetween: true
        default: false
        }
    }
}

/// A consent condition: the contact's status on a channel, for one purpose or any.
public struct ConsentCondition: Hashable, Sendable {
    /// What the status must be.
    public enum Wanted: String, Hashable, Sendable, CaseIterable {
        /// Confirmed.
        case confirmed
        /// Subscribed, confirmed or not.
        case subscribed
        /// Subscribed and not confirmed.
        case subscribedUnconfirmed = "subscribed-unconfirmed"
        /// Not subscribed (withdrawn or never given).
        case unsubscribed
    }

    /// The channel.
    public var channel: ConsentChannel
    /// The purpose; nil: any purpose on the channel (unsubscribed then means on every one).
    public var purpose: String?
    /// The status asked for.
    public var status: Wanted

    /// Describes a consent condition.
    public init(channel: ConsentChannel, purpose: String?, status: Wanted) {
        self.channel = channel
        self.purpose = purpose
        self.status = status
    }
}

/// A condition on the log's history of a contact (read from `SegmentFacts`).
public enum HistoryCondition: Hashable, Sendable {
    /// Imported from a file (the last import's file, when named) in the last N days.
    case imported(withinDays: Int, file: String?)
    /// The field changed at or after a time.
    case fieldChanged(ContactField, since: Int64)
    /// The field changed in the last N days.
    case fieldChangedWithin(ContactField, days: Int)
    /// Consent was withdrawn (on the channel, when named) in the last N days.
    case consentWithdrawn(withinDays: Int, channel: ConsentChannel?)
    /// Created by this actor (`kind:name`), or by any actor of a kind (`api-key`).
    case createdBy(ActorMatch)
    /// The last change came through this kind of source (`api`, `file`, `cli`, `form`, …).
    case lastChangedVia(String)

    /// One source of each kind, for their labels and codes (`last-changed` names one by label).
    static let sourceKinds: [Source] = [
        .file(name: "", sha256: .zero, row: 0), .api(key: "", requestID: ""), .form(formID: "", submissionID: ""),
        .migration(batch: "", entry: 0), .cli(command: ""), .system(reason: ""),
    ]

    var readsClock: Bool {
        switch self {
        case .imported, .fieldChangedWithin, .consentWithdrawn: true
        case .fieldChanged, .createdBy, .lastChangedVia: false
        }
    }
}

/// An actor a history condition names: one actor, or every actor of a kind.
public struct ActorMatch: Hashable, Sendable {
    /// The kind's code (`Actor.Kind.rawValue`).
    public var kind: UInt8
    /// The actor's name; nil: any of the kind.
    public var name: String?

    /// Describes a match.
    public init(kind: UInt8, name: String?) {
        self.kind = kind
        self.name = name
    }
}
