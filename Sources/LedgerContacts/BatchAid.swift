import LedgerDomain
import LedgerProjections
import LedgerStore

/// What a bulk writer lays over the plain decision of a batch (`BatchPlan`): the identifier
/// filter, the batch still in flight, new contacts prepared ahead. LedgerImport's
/// `ImportPlanAid` is the one there is (decision 0025).
///
/// `ContactBook.upsert`, `ContactService` and the API's bulk plan without one: a single
/// upsert decides its request against the projection and the batch's own changes, and knows
/// nothing of filters, overlays or pipelines. An aid may only spare work or supply what the
/// plan would otherwise read: a batch planned with it is decided exactly as without it
/// (`UpsertPipelineTests.sameAsSequential`, `PreparedCreationTests.sameAsDecided`).
///
/// Called on the planning thread only.
package protocol BatchAid: AnyObject {
    /// Called once per batch, inside the projection snapshot the plan reads, before any of
    /// `items` is planned.
    func begin(_ items: [UpsertItem], snapshot: ContactDirectory.Snapshot) throws

    /// What the aid knows of who holds identifier `value` of `kind`, one of `items[row]`'s
    /// (normalised to `identifiers`), before the batch's own changes and the projection are
    /// asked.
    func owner(_ kind: IdentifierKind, _ value: String, row: Int, identifiers: ContactIdentifiers) -> BatchPlan.KnownOwner

    /// The projection was asked who holds an identifier; `found` says whether a contact does.
    func lookedUp(found: Bool)

    /// The plan gives a contact identifier `value` of `kind` while planning `items[row]`.
    func gives(_ kind: IdentifierKind, _ value: String, row: Int, identifiers: ContactIdentifiers)

    /// The state a contact has after the batch still in flight, with placeholder places, when
    /// that batch touched it (outer nil: it did not, or there is none). A `.new` key the batch
    /// in flight made names its contact, not a new one of this plan.
    func inFlight(_ key: BatchPlan.Key) -> ContactState??

    /// `items[row]`'s events as a new contact, prepared ahead, when the plan (deciding with
    /// `rules`, `options`, `actor` and `channel`) would decide exactly these for it; nil: the
    /// plan decides the request itself. Asked only when the request resolves to `key`, a
    /// `.new` key this plan has not met yet.
    func creation(
        _ items: [UpsertItem], row: Int, key: BatchPlan.Key, identifiers: ContactIdentifiers,
        rules: ContactFieldRules, options: UpsertOptions, actor: Actor, channel: EntryChannel
    ) -> (any PreparedContact)?

    /// The plan's batch was recorded in the projection at `positions`.
    func projected(_ positions: ClosedRange<UInt64>)
}

/// A new contact's events decided, encoded and sealed before its batch is planned, with the
/// state they fold to (LedgerImport's `PreparedCreation`): what a plan records and projects,
/// through a `BatchAid`, instead of deciding the request itself.
package protocol PreparedContact: AnyObject, Sendable {
    /// The events, encoded for the log, personal data sealed under `dataKey`.
    var encoded: EncodedEvents { get }
    /// How many events `encoded` holds (read without copying them out).
    var eventCount: Int { get }
    /// The state the events fold to, unplaced (`EventMeta.unplaced`), shared with the projection.
    var shared: SharedContactState { get }
    /// The new contact's data key.
    var dataKey: DataKey { get }
    /// What the events do on each consent channel.
    var consent: ConsentTally.Row { get }
    /// The identity claims of the contact's identifiers.
    var claims: [IdentityClaim] { get }
}

extension PreparedContact {
    /// The state the events fold to, unplaced (`EventMeta.unplaced`).
    package var state: ContactState { shared.state }
}
