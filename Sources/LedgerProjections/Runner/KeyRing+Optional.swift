import LedgerDomain
import LedgerStore

extension Optional where Wrapped == KeyRing {
    /// The event's plain personal data: unsealed with the ring when there is one; without a
    /// ring only plain (unsealed) personal data can be read, and sealed data reads as erased.
    func personalData(of event: RecordedEvent) throws -> [UInt8]? {
        if let ring = self { return try ring.personalData(of: event) }
        return event.personalDataSealed ? nil : Array(event.personalData)
    }
}
