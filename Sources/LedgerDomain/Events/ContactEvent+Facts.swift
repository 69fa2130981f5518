extension ContactEvent {
    /// The facts this event stands for, in the order they happened: the one expansion point
    /// every reader of contact events reads through (decision 0026).
    ///
    /// A `contact.created` that carries identifiers and field values is the creation alone
    /// (entry channel and consents, as a v2 creation: its grants stay in it, decision 0022),
    /// then a `contact.identifier-added` per identifier, then one `contact.fields-changed`
    /// when it carries fields: exactly the events a new contact was recorded as before. Every
    /// other event is itself. Each fact has the event's meta (position, actor, source, time).
    /// A collection over the event, not an array: the fold reads millions of events through it.
    public var facts: Facts { Facts(event: self) }

    /// The facts an event stands for (`ContactEvent.facts`).
    public struct Facts: RandomAccessCollection, Sendable {
        private let event: ContactEvent
        private let created: ContactCreated?

        init(event: ContactEvent) {
            self.event = event
            if case .contactCreated(let created) = event, created.carriesValues {
                self.created = created
            } else {
                created = nil
            }
        }

        /// The first fact's index: 0.
        public var startIndex: Int { 0 }

        /// Past the last fact: 1 for an event that stands for itself.
        public var endIndex: Int {
            guard let created else { return 1 }
            return 1 + created.identifiers.count + (created.fields.isEmpty ? 0 : 1)
        }

        /// The fact at `position`, made from the event when asked (nothing is stored).
        public subscript(position: Int) -> ContactEvent {
            guard let created else { return event }
            if position == 0 { return .contactCreated(created.alone) }
            let identifier = position - 1
            if identifier < created.identifiers.count { return .identifierAdded(created.identifiers[identifier]) }
            return .contactFieldsChanged(ContactFieldsChanged(changes: created.fields))
        }
    }
}
