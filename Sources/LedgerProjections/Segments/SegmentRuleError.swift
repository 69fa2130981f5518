/// A rule document that cannot be read: where in it (a JSON path such as `$.all[2].op`) and
/// what is wrong. Quotes at most 40 characters of what the document said.
public struct SegmentRuleError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Where the fault is, as a JSON path from `$`.
    public let path: String
    /// What is wrong there.
    public let message: String

    /// Describes a fault.
    public init(_ path: String, _ message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }

    /// Text from the document, quoted and cut to 40 characters.
    static func quoted(_ text: String) -> String {
        let cut = text.count > 40 ? String(text.prefix(40)) + "…" : text
        return "\"" + cut.unicodeScalars.map { $0.value < 0x20 || $0 == "\"" ? "\\u{\(String($0.value, radix: 16))}" : String($0) }.joined() + "\""
    }
}
