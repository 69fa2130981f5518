import LedgerDomain
import LedgerProjections
import LedgerStore

/// A contact's identifier, as a value of a kind: what one contact per identifier is about.
package struct HeldIdentifier: Hashable {
    package var kind: IdentifierKind
    package var value: String

    /// `value`, an identifier of `kind`.
    package init(kind: IdentifierKind, value: String) {
        self.kind = kind
        self.value = value
    }
}

extension IdentifierKind {
    /// The byte that keeps kinds apart in an identity claim's digest (stable: stored).
    var claimCode: UInt8 {
        switch self {
        case .email: 1
        case .phone: 2
        case .externalId: 3
        }
    }
}

extension ContactState {
    /// Every identifier the contact holds.
    var heldIdentifiers: Set<HeldIdentifier> {
        var held = Set<HeldIdentifier>()
        for kind in IdentifierKind.allCases {
            for value in identifiers(kind) { held.insert(HeldIdentifier(kind: kind, value: value)) }
        }
        return held
    }
}

extension ContactBook {
    /// The claims and releases that take a contact from holding `before` to holding `before`
    /// changed by `events` (starting from `start` when given: a prepared creation's), decided
    /// at `decidedAt`; nil when the identifiers do not change.
    func identityChanges(before: Set<HeldIdentifier>, start: Set<HeldIdentifier>? = nil, events: [ContactEvent], decidedAt: UInt64) -> IdentityChanges? {
        var held = start ?? before
        // A creation's identifiers (decision 0026) are claimed as the events they stand for.
        for event in events {
            for fact in event.facts {
                switch fact {
                case .identifierAdded(let change):
                    if let value = change.value.value { held.insert(HeldIdentifier(kind: change.kind, value: value)) }
                case .identifierRemoved(let change):
                    if let value = change.value.value { held.remove(HeldIdentifier(kind: change.kind, value: value)) }
                case .contactErased, .contactMergedAway: held.removeAll()
                default: break
                }
            }
        }
        guard held != before else { return nil }
        return IdentityChanges(
            claims: held.subtracting(before).map(claim),
            releases: before.subtracting(held).map(claim),
            decidedAt: decidedAt
        )
    }

    /// The identity claim of one identifier.
    package func claim(_ identifier: HeldIdentifier) -> IdentityClaim {
        ledger.identityClaim(kind: identifier.kind.claimCode, value: identifier.value)
    }
}
