/// A field of a contact: a standard one, or a custom one declared by `field.defined`.
public enum ContactField: Hashable, Sendable, CustomStringConvertible {
    /// One of the fields every contact has.
    case standard(StandardField)
    /// A custom field, by its declared name.
    case custom(String)

    /// The field's name as JSON and the CLI show it.
    public var name: String {
        switch self {
        case .standard(let field): field.name
        case .custom(let name): name
        }
    }

    public var description: String {
        switch self {
        case .standard(let field): field.name
        case .custom(let name): "custom field \(name)"
        }
    }
}
