import LedgerContacts
import LedgerDomain
import LedgerProjections
import LedgerStore

/// A confirmation requested and never given.
public struct PendingDoi: Sendable, Hashable {
    /// The contact.
    public let contact: StreamID
    /// The scope awaiting confirmation.
    public let scope: ConsentScope
    /// The token awaited.
    public let tokenID: String
    /// When it was requested (microseconds since 1970).
    public let requestedAt: Int64
    /// The form and version it came from, from the request's source (`NAME@VERSION`); nil when
    /// the request did not come from a form.
    public let form: String?
    public let formVersion: UInt32?
}

/// Finds unconfirmed double opt-in requests (`ledger doi pending`) and queues the one reminder
/// a form's setting asks for (`ledger serve`, on a schedule).
public enum DoiPendingList {
    /// Every pending confirmation requested before `before` (microseconds since 1970), oldest
    /// first. Reads every contact's state once, then the stream of each pending one for its form.
    public static func pending(book: ContactBook, before: Int64) throws -> [PendingDoi] {
        var found = [(StreamID, ConsentScope, PendingConfirmation)]()
        try book.directory().forEach { state in
            guard !state.erased, state.mergedInto == nil else { return }
            for (scope, record) in state.consents {
                if let pending = record.pending, pending.requestedAt < before, record.status != .confirmed {
                    found.append((state.id, scope, pending))
                }
            }
        }
        return try found.sorted { $0.2.requestedAt < $1.2.requestedAt }.map { contact, scope, pending in
            let origin = try requestOrigin(book.ledger, contact: contact, tokenID: pending.tokenID)
            return PendingDoi(contact: contact, scope: scope, tokenID: pending.tokenID, requestedAt: pending.requestedAt, form: origin?.form, formVersion: origin?.version)
        }
    }

    /// The form and version of the `consent.confirmation-requested` for `tokenID`.
    static func requestOrigin(_ ledger: Ledger, contact: StreamID, tokenID: String) throws -> (form: String, version: UInt32)? {
        for event in try ledger.readStream(contact).reversed() {
            guard case .contacts(.consentConfirmationRequested(let requested))? = try? LedgerEvent(decoding: event), requested.tokenID == tokenID else { continue }
            guard case .form(let formID, _) = event.source else { return nil }
            return FormSource.parse(formID)
        }
        return nil
    }
}

/// The `formID` of a submission's `Source.form`: `NAME@VERSION`.
public enum FormSource {
    /// `NAME@VERSION` read back; nil for any other text.
    public static func parse(_ text: String) -> (form: String, version: UInt32)? {
        guard let at = text.lastIndex(of: "@"), let version = UInt32(text[text.index(after: at)...]) else { return nil }
        return (String(text[..<at]), version)
    }
}
