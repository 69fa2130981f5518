/// A personal value of an event as the reader sees it: known, or erased (its key destroyed,
/// or not unsealed by this reader).
///
/// Personal data is stored apart from the rest of an event so that it can be sealed with the
/// contact's own key; a reader without that key still folds the non-personal facts.
public enum Personal<Value> {
    /// The value, read from plain or unsealed personal data.
    case known(Value)
    /// The value cannot be read: the contact was erased, or this reader may not unseal it.
    case erased

    /// The value when it is known.
    public var value: Value? {
        switch self {
        case .known(let value): value
        case .erased: nil
        }
    }

    /// Whether the value cannot be read.
    public var isErased: Bool {
        if case .erased = self { return true }
        return false
    }

    /// The known value transformed; erased stays erased.
    public func map<Other>(_ transform: (Value) throws -> Other) rethrows -> Personal<Other> {
        switch self {
        case .known(let value): .known(try transform(value))
        case .erased: .erased
        }
    }
}

extension Personal: Sendable where Value: Sendable {}
extension Personal: Equatable where Value: Equatable {}
extension Personal: Hashable where Value: Hashable {}

extension Personal: CustomStringConvertible, CustomDebugStringConvertible {
    /// `<personal>` or `<erased>`: never the value, so printing or logging an event (whose
    /// default description reaches here) cannot leak personal data. Read `value` on purpose.
    public var description: String { isErased ? "<erased>" : "<personal>" }

    public var debugDescription: String { description }
}
