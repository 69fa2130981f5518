import LedgerDomain

/// An RFC 5322 message built from a composed mail: `Date`, `Message-ID`, `From`, `To`,
/// `Subject` (RFC 2047 when not ASCII), `List-Unsubscribe` and `List-Unsubscribe-Post`
/// (RFC 8058), and the text (and HTML) body as UTF-8 quoted-printable, `multipart/alternative`
/// when there is HTML. Every line ends in CRLF and stays 7-bit; SMTP dot-stuffing is the
/// client's job.
///
/// Every value that reaches a header is checked first: a CR, LF or other control character in
/// any of them refuses the whole message (`MailError.unsafeHeader`), so nothing a person typed
/// can add a header, a recipient or a body part.
public struct MailMessage: Sendable {
    /// The message, CRLF line ends.
    public let bytes: [UInt8]
    /// The envelope sender (`MAIL FROM`).
    public let sender: MailAddress
    /// The envelope recipient (`RCPT TO`).
    public let recipient: MailAddress
    /// The `Message-ID`, without angle brackets.
    public let messageID: String

    /// Builds the message of `mail` from `from`, dated `date` (microseconds since 1970);
    /// `messageID` is the same for every attempt of one mail, so receivers can tell a repeat.
    public init(_ mail: ComposedMail, from: MailAddress, messageID: String, date: Int64, boundary: String = MailMessage.newBoundary()) throws(MailError) {
        let recipient = try MailAddress(address: mail.recipient, field: "recipient")
        let replyTo = try mail.replyTo.map { (text) throws(MailError) in try MailAddress(address: text, field: "Reply-To") }
        try MailHeaders.checkValue(mail.subject, header: "Subject")
        try MailHeaders.checkValue(messageID, header: "Message-ID")
        guard messageID.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "<") && $0 != UInt8(ascii: ">") }), messageID.contains("@") else {
            throw MailError(.unsafeHeader, "the Message-ID is not id@domain of printable ASCII")
        }
        let unsubscribe = try Self.unsubscribeValue(mail.listUnsubscribe)

        var headers: [(String, String)] = [
            ("Date", Self.date(date)),
            ("From", from.headerValue),
            ("To", recipient.address),
            ("Subject", MailHeaders.unstructured(mail.subject, headerName: "Subject")),
            ("Message-ID", "<" + messageID + ">"),
        ]
        if let replyTo { headers.append(("Reply-To", replyTo.address)) }
        headers += [
            ("MIME-Version", "1.0"),
            ("List-Unsubscribe", unsubscribe),
            ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
        ]
        var body = [UInt8]()
        if let html = mail.htmlBody {
            headers.append(("Content-Type", "multipart/alternative; boundary=\"" + boundary + "\""))
            body += Array("This is a multi-part message in MIME format.\r\n".utf8)
            for (type, text) in [("text/plain", mail.textBody), ("text/html", html)] {
                body += Array("\r\n--\(boundary)\r\nContent-Type: \(type); charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n".utf8)
                body += MailEncoding.quotedPrintable(text)
            }
            body += Array("\r\n--\(boundary)--\r\n".utf8)
        } else {
            headers.append(("Content-Type", "text/plain; charset=utf-8"))
            headers.append(("Content-Transfer-Encoding", "quoted-printable"))
            body += MailEncoding.quotedPrintable(mail.textBody)
            body += [0x0D, 0x0A]
        }
        var bytes = [UInt8]()
        for (name, value) in headers {
            bytes += Array("\(name): \(value)\r\n".utf8)
        }
        bytes += [0x0D, 0x0A]
        bytes += body
        self.bytes = bytes
        self.sender = from
        self.recipient = recipient
        self.messageID = messageID
    }

    /// `<https://…>` and, when given, `<mailto:…>`: each checked for control characters, white
    /// space and angle brackets, the https one for its scheme (RFC 8058 requires it).
    static func unsubscribeValue(_ targets: ListUnsubscribe) throws(MailError) -> String {
        var values = [String]()
        for (url, scheme) in [(targets.https, "https://"), (targets.mailto, "mailto:")] {
            guard let url else { continue }
            try MailHeaders.checkValue(url, header: "List-Unsubscribe")
            guard url.lowercased().hasPrefix(scheme), url.utf8.count > scheme.utf8.count,
                  url.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "<") && $0 != UInt8(ascii: ">") })
            else {
                throw MailError(.unsafeHeader, "the List-Unsubscribe \(scheme.dropLast(scheme == "https://" ? 3 : 1)) URL must start with \(scheme) and hold printable ASCII without spaces or angle brackets")
            }
            values.append("<" + url + ">")
        }
        return values.joined(separator: ",\r\n ")
    }

    /// A boundary that cannot occur in a quoted-printable or base64 body (`=_` never does).
    public static func newBoundary() -> String {
        var generator = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef")
        return "=_cl_" + String((0..<24).map { _ in digits[Int.random(in: 0..<16, using: &generator)] })
    }

    /// The RFC 5322 date of `microseconds` since 1970, in UTC: `Mon, 07 Dec 2026 01:15:00 +0000`.
    static func date(_ microseconds: Int64) -> String {
        let seconds = microseconds >= 0 ? microseconds / 1_000_000 : (microseconds - 999_999) / 1_000_000
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = Timestamp.civilDate(daysSinceEpoch: days)
        let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let weekday = weekdays[Int(((days % 7) + 7) % 7)]
        return "\(weekday), \(two(day)) \(months[Int(month - 1)]) \(year) \(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60)) +0000"
    }
}
