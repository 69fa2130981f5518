/// Where a contact stands on one consent scope (a channel and a purpose).
///
/// How each consent event moves it (the fold's table; "none" is a scope with no record yet):
///
/// | event                                  | before                            | after                                   |
/// |----------------------------------------|-----------------------------------|-----------------------------------------|
/// | `consent.granted`, status confirmed    | any                               | confirmed                               |
/// | `consent.granted`, status subscribed   | none, unsubscribed                | subscribedUnconfirmed                   |
/// | `consent.granted`, status subscribed   | subscribedUnconfirmed, confirmed  | unchanged                               |
/// | `consent.confirmation-requested`       | none, unsubscribed                | subscribedUnconfirmed, token pending    |
/// | `consent.confirmation-requested`       | subscribedUnconfirmed, confirmed  | unchanged, token pending                |
/// | `consent.confirmed`                    | any                               | confirmed; pending cleared if its token |
/// | `consent.withdrawn`                    | any                               | unsubscribed, pending cleared           |
///
/// A grant states its status (payload v2). The writers grant API contacts as confirmed because
/// the product promises it ("contacts sent by API count as confirmed"), double opt-in grants as
/// confirmed (the confirmation already happened, e.g. at a provider that ran it), and an
/// operator's grant as whatever the operator recorded. A v1 grant reads with the status its
/// method implied then: confirmed for api and double-opt-in, subscribed for the rest. A
/// subscribed grant never lowers a confirmed consent. A confirmation request means someone signed up, so it
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
