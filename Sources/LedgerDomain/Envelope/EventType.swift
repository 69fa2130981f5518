/// The stable type tag of an event and the version of its payload format.
///
/// The tag is independent of any Swift type name, so that renaming code never changes what
/// the ledger says happened. It is written `name.vN`, e.g. `contact.created.v1`.
public struct EventType: Hashable, Sendable, CustomStringConvertible {
    /// The past-tense fact, e.g. `contact.created`.
    public let name: String
    /// The payload format's version, starting at 1.
    public let version: UInt16

    /// Names an event type and payload version.
    public init(_ name: String, version: UInt16) {
        self.name = name
        self.version = version
    }

    /// The tag with its version, `contact.created.v1`.
    public var description: String { "\(name).v\(version)" }
}
