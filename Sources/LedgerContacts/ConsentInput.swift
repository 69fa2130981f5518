import LedgerDomain

/// What a request (an imported row, an API call) says about the contact's consent, and the
/// status its sender states for requests that say nothing: what `ContactBook.changes` turns into consent
/// events, decided against the contact's current consent (`ConsentInput+Events.swift`).
///
/// Times are microseconds since 1970-01-01 UTC, when things happened in the system the data
/// comes from; they are checked by the caller (the importer names the row and column) and by
/// the field rules (no time in the future).
public struct ConsentInput: Sendable, Hashable {
    /// A status a row can state for a channel.
    public enum Status: String, Sendable, Hashable, CaseIterable {
        /// Agreed, not confirmed.
        case subscribed
        /// Agreed and confirmed (double opt-in at the source).
        case confirmed
        /// Withdrawn by the person.
        case unsubscribed
        /// Removed by the source for bouncing (Mailchimp's "cleaned"): recorded as a withdrawal
        /// with the reason `cleaned`, so nothing is sent there again without a new consent.
        case cleaned
    }

    /// What the import states for a row that says nothing about consent (`--consent`); nil
    /// records nothing for such rows.
    public var stated: ConsentGrantStatus?
    /// The list or purpose every consent of the request is for (`--purpose`).
    public var purpose: String
    /// The status the row gives the e-mail channel, by a column of its own.
    public var email: Status?
    /// The status the row gives the SMS channel, by a column of its own.
    public var sms: Status?
    /// The status the row gives every channel it carries, where no column of the channel's
    /// own says otherwise.
    public var all: Status?
    /// When and from where the person opted in.
    public var optInAt: Int64?
    public var optInIP: String?
    /// When and from where the person confirmed.
    public var confirmedAt: Int64?
    public var confirmIP: String?
    /// When the person unsubscribed, and why (a reason code or short phrase).
    public var unsubscribedAt: Int64?
    public var unsubscribeReason: String?
    /// When the source cleaned the address (bounces).
    public var cleanedAt: Int64?
    /// When the source last changed the record: the time of a stated status that has no time
    /// of its own.
    public var lastChangedAt: Int64?
    /// The consent wording's text or version.
    public var wordingVersion: String?
    /// The push channels the request carries (a row's mobile token or web-push subscription):
    /// their consent is recorded as the e-mail's and the SMS's is, by the row-wide status or
    /// the stated default. A push channel needs no identifier of the contact's.
    public var pushChannels: [ConsentChannel] = []
    /// How the consent reached us, the method of every event it records: `import` for a file
    /// (it vouches for the rows), `api` for a contact an integrated system sends.
    public var method: ConsentMethod

    /// The import's stated default and purpose, with nothing from the row yet.
    public init(stated: ConsentGrantStatus?, purpose: String, method: ConsentMethod = .import) {
        self.stated = stated
        self.purpose = purpose
        self.method = method
    }

    /// Whether the row says anything about `channel`'s consent itself; when it does, the
    /// import's stated default does not apply to the channel. A row states it by a status (the
    /// channel's own or the row's); times and IP addresses without any status belong to the
    /// e-mail channel, as in the exports of e-mail platforms such as Mailchimp, whose opt-in
    /// proves nothing about text messages.
    public func statesConsent(_ channel: ConsentChannel) -> Bool {
        if status(of: channel) != nil { return true }
        return channel == .email && email == nil && sms == nil && all == nil && hasEvidence
    }

    /// Whether the row has a consent time or IP address.
    var hasEvidence: Bool {
        optInAt != nil || optInIP != nil || confirmedAt != nil || confirmIP != nil || unsubscribedAt != nil || cleanedAt != nil
    }

    /// The status the row states for `channel`: its own column's, else the row-wide one.
    func status(of channel: ConsentChannel) -> Status? {
        switch channel {
        case .email: email ?? all
        case .sms: sms ?? all
        case .webpush, .mobilepush: all
        }
    }

    /// Whether the row states a status for `channel` by a column of the channel's own.
    func hasOwnStatus(_ channel: ConsentChannel) -> Bool {
        switch channel {
        case .email: email != nil
        case .sms: sms != nil
        case .webpush, .mobilepush: false
        }
    }
}
