import Foundation

/// Writing to standard output and error, one line at a time.
///
/// Everything written here goes through `TerminalText.escaped(_:keepingLineFeeds:)`: control
/// characters in values (stored by anyone, or by older builds) never reach the terminal raw.
/// JSON stays valid JSON with the same values, as the escapes are JSON's own.
enum Output {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static let prettyEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// Prints `value` as one line of JSON.
    static func jsonLine<Value: Encodable>(_ value: Value) throws {
        line(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    /// Prints `value` as indented JSON.
    static func json<Value: Encodable>(_ value: Value) throws {
        line(String(decoding: try prettyEncoder.encode(value), as: UTF8.self))
    }

    /// Prints a line of text on standard output.
    static func line(_ text: String) {
        StandardStream.output(TerminalText.escaped(text, keepingLineFeeds: true) + "\n")
    }

    /// Prints a line of text on standard error.
    static func error(_ text: String) {
        StandardStream.write(TerminalText.escaped(text, keepingLineFeeds: true) + "\n", to: STDERR_FILENO)
    }

    /// Whether standard error is a terminal (for progress lines).
    static var stderrIsTerminal: Bool { isatty(2) == 1 }
}
