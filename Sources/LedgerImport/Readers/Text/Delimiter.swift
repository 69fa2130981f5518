/// The field separators contact exports use.
public enum Delimiter: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// `;`, what Excel writes for "CSV" in locales whose decimal separator is a comma.
    case semicolon = 0x3B
    /// `,`, RFC 4180.
    case comma = 0x2C
    /// Tab, what Excel writes for "Unicode text" and "Text (tab-delimited)".
    case tab = 0x09

    /// A readable name for messages.
    public var description: String {
        switch self {
        case .semicolon: "semicolon"
        case .comma: "comma"
        case .tab: "tab"
        }
    }
}
