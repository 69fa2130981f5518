/// Where a contact stands on one consent scope (a channel and a purpose).
///
/// How each consent event moves it (the fold's table; "none" is a scope with no record yet):
///
/// | event                                  | before                            | after                                   |
/// |----------------------------------------|-----------------------------------|-----------------------------------------|
/// | `consent.granted`, method api or double-opt-in | any                       | confirmed                               |
/// | `consent.granted`, any other method    | none, unsubscribed                | subscribedUnconfirmed                   |
/// | `consent.granted`, any other method    | subscribedUnconfirmed, confirmed  | unchanged                               |
/// | `consent.confirmation-requested`       | none, unsubscribed                | subscribedUnconfirmed, token pending    |
/// | `consent.confirmation-requested`       | subscribedUnconfirmed, confirmed  | unchanged, token pending                |
/// | `consent.confirmed`                    | any                               | confirmed; pending cleared if its token |
/// | `consent.withdrawn`                    | any                               | unsubscribed, pending cleared           |
///
/// API grants count as confirmed because the product promises it ("contacts sent by API count
/// as confirmed"), and a grant recorded as double-opt-in says the confirmation already
/// happened (a migration from a provider that ran it). Import, single opt-in forms and the
/// odd grant by unsubscribe link vouch for a subscription but not for a confirmation, and
/// never lower a confirmed consent. A confirmation request means someone signed up, so it
/// subscribes a scope that was not, but it confirms nothing until `consent.confirmed`.
///
/// The record's `since`, `method`, `wordingVersion` and `position` describe the event that
/// put the scope in its current status; an event that leaves the status as it was leaves them
/// too, so `since` answers "since when".
public enum ConsentStatus: String, CaseIterable, Hashable, Sendable {
    /// No consent: withdrawn, or never given.
    case unsubscribed
    /// Consent given but not confirmed by the contact (import, single opt-in, pending double opt-in).
    case subscribedUnconfirmed
    /// Consent confirmed (double opt-in, or sent by API).
    case confirmed

    /// The kebab-case word used in JSON, e.g. `subscribed-unconfirmed`.
    public var label: String {
        switch self {
        case .unsubscribed: "unsubscribed"
        case .subscribedUnconfirmed: "subscribed-unconfirmed"
        case .confirmed: "confirmed"
        }
    }
}
