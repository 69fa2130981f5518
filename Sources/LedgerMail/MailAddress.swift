/// A mailbox as it goes into an SMTP envelope and a header: a plain `local@domain` address and
/// an optional display name (`Ledger News <news@example.com>`).
public struct MailAddress: Hashable, Sendable, CustomStringConvertible {
    /// The `local@domain` address.
    public let address: String
    /// The name shown beside it, if any.
    public let displayName: String?

    /// Checks and wraps `address` (see `check(address:field:)`) and the display name.
    public init(address: String, displayName: String? = nil, field: String = "address") throws(MailError) {
        try Self.check(address: address, field: field)
        if let displayName { try MailHeaders.checkValue(displayName, header: field) }
        self.address = address
        self.displayName = displayName
    }

    /// Reads `local@domain` or `Display Name <local@domain>`.
    public init(parsing text: String, field: String) throws(MailError) {
        if text.hasSuffix(">"), let open = text.lastIndex(of: "<") {
            let name = text[..<open].trimmingSpaces()
            let inner = String(text[text.index(after: open)..<text.index(before: text.endIndex)])
            try self.init(address: inner, displayName: name.isEmpty ? nil : String(name), field: field)
        } else {
            try self.init(address: text, field: field)
        }
    }

    /// Refuses what cannot go safely into `MAIL FROM:<…>`, `RCPT TO:<…>` or a header: control
    /// characters (CR and LF would inject SMTP commands or headers), white space, the specials
    /// `<>()[],;:"\`, anything but one `@` between a non-empty local part (at most 64 bytes)
    /// and domain (at most 255), and non-ASCII (which needs SMTPUTF8, not spoken here). The
    /// message names the field, never the value: it may be a person's address.
    public static func check(address: String, field: String) throws(MailError) {
        let bytes = Array(address.utf8)
        guard !bytes.contains(where: { $0 < 0x21 || $0 == 0x7F }) else {
            throw MailError(.unsafeHeader, "the \(field) holds a control character or white space")
        }
        guard bytes.allSatisfy({ $0 < 0x80 }) else {
            throw MailError(.invalidAddress, "the \(field) is not ASCII (internationalised addresses need SMTPUTF8, which this sender does not speak)")
        }
        guard !bytes.contains(where: { Array(#"<>()[],;:"\"#.utf8).contains($0) }) else {
            throw MailError(.invalidAddress, "the \(field) holds one of <>()[],;:\"\\")
        }
        let parts = bytes.split(separator: UInt8(ascii: "@"), omittingEmptySubsequences: false)
        guard parts.count == 2, (1...64).contains(parts[0].count), (1...255).contains(parts[1].count),
              parts[1].first != UInt8(ascii: "."), parts[1].last != UInt8(ascii: ".")
        else {
            throw MailError(.invalidAddress, "the \(field) is not a plain local@domain address")
        }
    }

    /// The domain part (after the `@`).
    public var domain: String {
        address.split(separator: "@", omittingEmptySubsequences: false).last.map(String.init) ?? address
    }

    /// The header form: the address, or the display name (quoted or RFC 2047-encoded) and the
    /// address in angle brackets.
    public var headerValue: String {
        guard let displayName else { return address }
        return MailHeaders.phrase(displayName) + " <" + address + ">"
    }

    public var description: String { headerValue }
}

extension Substring {
    func trimmingSpaces() -> Substring {
        var result = self
        while result.first == " " { result = result.dropFirst() }
        while result.last == " " { result = result.dropLast() }
        return result
    }
}
