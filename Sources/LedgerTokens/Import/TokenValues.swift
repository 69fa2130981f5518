/// The values of one export entry, by the column they feed: one slot per column, held inline.
///
/// A dictionary per entry cost an allocation and a hash of the column at every look-up (an
/// import reads a dozen a row, a million rows); a column's slot is its place in the declaration.
public struct TokenValues: Sendable, ExpressibleByDictionaryLiteral {
    private var slots = InlineArray<13, String?>(repeating: nil)

    /// No values.
    public init() {}

    /// The values given, as a dictionary literal would give them.
    public init(dictionaryLiteral elements: (TokenColumn, String)...) {
        for (column, value) in elements { self[column] = value }
    }

    /// The value of `column`; nil when the entry has none.
    public subscript(column: TokenColumn) -> String? {
        get { slots[column.ordinal] }
        set { slots[column.ordinal] = newValue }
    }
}
