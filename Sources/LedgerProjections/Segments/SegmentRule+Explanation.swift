import LedgerDomain

extension SegmentRule {
    /// One line of an explanation: a condition, how deep it sits, and whether it holds.
    public struct ExplainedCondition: Hashable, Sendable {
        /// Nesting depth, 0 for the whole rule.
        public let depth: Int
        /// The condition in words (a combination names itself: all, any, not).
        public let text: String
        /// Whether it holds for the contact.
        public let holds: Bool
    }

    /// Which conditions hold and which fail for a contact, the whole rule first, each
    /// combination before its parts (`ledger segment why`).
    public func explain(_ state: ContactState, facts: SegmentFacts, context: RuleContext, dynamic: [String: Int]) -> [ExplainedCondition] {
        var lines = [ExplainedCondition]()
        func walk(_ rule: SegmentRule, depth: Int) {
            let holds = CompiledRule(rule, dynamic: dynamic).test(state, facts, context)
            lines.append(ExplainedCondition(depth: depth, text: rule.summary, holds: holds))
            switch rule {
            case .all(let parts), .any(let parts): for part in parts { walk(part, depth: depth + 1) }
            case .not(let inner): walk(inner, depth: depth + 1)
            case .field, .consent, .hasIdentifier, .segment, .history: break
            }
        }
        walk(self, depth: 0)
        return lines
    }

    /// The condition in words; a combination is named by its kind.
    public var summary: String {
        switch self {
        case .all(let parts): return "all of \(parts.count)"
        case .any(let parts): return "any of \(parts.count)"
        case .not: return "not"
        case .field(let condition):
            let operand: String = switch condition.op {
            case .equals(let value), .notEquals(let value), .less(let value), .lessOrEqual(let value),
                 .greater(let value), .greaterOrEqual(let value), .before(let value), .after(let value): value.description
            case .between(let low, let high): "[\(low), \(high)]"
            case .in(let values), .notIn(let values): "[" + values.map(\.description).joined(separator: ", ") + "]"
            case .contains(let text), .startsWith(let text), .endsWith(let text), .regex(let text): "\"\(text)\""
            case .empty, .notEmpty: ""
            case .withinLastDays(let days), .birthdayWithinDays(let days): String(days)
            case .ageBetween(let low, let high): "[\(low), \(high)]"
            }
            return "\(condition.field) \(condition.op.name)" + (operand.isEmpty ? "" : " \(operand)")
        case .consent(let condition):
            return "consent \(condition.channel.label)\(condition.purpose.map { "/\($0)" } ?? "") \(condition.status.rawValue)"
        case .hasIdentifier(let kind):
            return "has \(RuleField.identifier(kind))"
        case .segment(let name):
            return "member of \(name)"
        case .history(let condition):
            switch condition {
            case .imported(let days, let file): return "imported\(file.map { " from \($0)" } ?? "") in the last \(days) days"
            case .fieldChanged(let field, let since): return "\(field.name) changed since \(Timestamp.iso8601(microseconds: since))"
            case .fieldChangedWithin(let field, let days): return "\(field.name) changed in the last \(days) days"
            case .consentWithdrawn(let days, let channel): return "consent withdrawn\(channel.map { " on \($0.label)" } ?? "") in the last \(days) days"
            case .createdBy(let match): return "created by \(Actor.Kind(rawValue: match.kind).label)\(match.name.map { ":\($0)" } ?? "")"
            case .lastChangedVia(let via): return "last changed via \(via)"
            }
        }
    }
}
