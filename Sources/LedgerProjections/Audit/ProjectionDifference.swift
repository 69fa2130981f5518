/// One way a projection differs from a fresh fold of the log. Messages name contacts by
/// number and parts by name, never by a personal value.
public struct ProjectionDifference: Codable, Hashable, Sendable {
    /// The contact concerned; nil for a difference that belongs to no contact (a field declaration).
    public var contact: UInt64?
    /// The projection table, e.g. `contacts` or `by-email`.
    public var table: String
    /// What differs.
    public var message: String

    /// Describes a difference.
    public init(contact: UInt64?, table: String, message: String) {
        self.contact = contact
        self.table = table
        self.message = message
    }
}
