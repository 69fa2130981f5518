/// Who made a change: an API key, a person at the CLI, a subscription form, or the system.
public struct Actor: Hashable, Sendable, CustomStringConvertible {
    /// What kind of party acted; it decides how `name` is read.
    public struct Kind: RawRepresentable, Hashable, Sendable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }

        /// A request signed with an API key; `name` is the key's name, never its secret.
        public static let apiKey = Kind(rawValue: 1)
        /// A person using the CLI; `name` is their user name.
        public static let user = Kind(rawValue: 2)
        /// A subscription form; `name` is the form's id.
        public static let form = Kind(rawValue: 3)
        /// The ledger itself (a projector, a migration tool); `name` says which.
        public static let system = Kind(rawValue: 4)

        /// The word used in text and JSON.
        public var label: String {
            switch self {
            case .apiKey: "api-key"
            case .user: "user"
            case .form: "form"
            case .system: "system"
            default: "kind-\(rawValue)"
            }
        }

        /// Reads the word used in text and JSON.
        public init?(label: String) {
            switch label {
            case "api-key": self = .apiKey
            case "user": self = .user
            case "form": self = .form
            case "system": self = .system
            default: return nil
            }
        }
    }

    /// What kind of party acted.
    public let kind: Kind
    /// The party's name within its kind.
    public let name: String

    /// Names an actor.
    public init(_ kind: Kind, _ name: String) {
        self.kind = kind
        self.name = name
    }

    /// `kind:name`, e.g. `api-key:crm-sync`.
    public var description: String { "\(kind.label):\(name)" }

    /// Parses `kind:name`; a bare name is taken as a user.
    public init(parsing text: String) {
        if let colon = text.firstIndex(of: ":"), let kind = Kind(label: String(text[..<colon])) {
            self.init(kind, String(text[text.index(after: colon)...]))
        } else {
            self.init(.user, text)
        }
    }
}
