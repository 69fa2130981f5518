import Foundation
@testable import LedgerMail
import Testing

/// The message builder: headers as RFC 5322 and 8058 want them, bodies a mail client decodes
/// back to the text (checked with Python's `email` package), and no header value that could
/// carry CR, LF or another control character.
@Suite("The mail message")
struct MailMessageTests {
    static let from: MailAddress = {
        do { return try MailAddress(parsing: "Ledger News <news@ledger.test>", field: "from") } catch { fatalError("\(error)") }
    }()

    static func mail(
        recipient: String = "olena@example.com", subject: String = "Підтвердіть підписку на новини", text: String = "Привіт, Олено!\n",
        html: String? = "<p>Привіт</p>", https: String = "https://forms.example/unsubscribe?t=abc", mailto: String? = "mailto:unsubscribe@forms.example",
        replyTo: String? = nil
    ) -> ComposedMail {
        ComposedMail(recipient: recipient, subject: subject, textBody: text, htmlBody: html,
                     listUnsubscribe: ListUnsubscribe(https: https, mailto: mailto), replyTo: replyTo)
    }

    static func build(_ mail: ComposedMail, from: MailAddress = from) throws -> MailMessage {
        try MailMessage(mail, from: from, messageID: "0193a1b2-c3d4-8e5f-8a6b-7c8d9e0f1a2b@ledger.test", date: 1_796_000_000_000_000)
    }

    static func headers(_ message: MailMessage) -> [String] {
        let text = String(decoding: message.bytes, as: UTF8.self)
        let head = text.components(separatedBy: "\r\n\r\n")[0]
        return head.replacingOccurrences(of: "\r\n ", with: " ").components(separatedBy: "\r\n")
    }

    @Test("the headers: date, addresses, message id, List-Unsubscribe and its one-click POST")
    func headers() throws {
        let message = try Self.build(Self.mail(replyTo: "desk@ledger.test"))
        let headers = Self.headers(message)
        #expect(headers.contains("Date: Mon, 30 Nov 2026 00:53:20 +0000"))
        #expect(headers.contains("From: Ledger News <news@ledger.test>"))
        #expect(headers.contains("To: olena@example.com"))
        #expect(headers.contains("Reply-To: desk@ledger.test"))
        #expect(headers.contains("Message-ID: <0193a1b2-c3d4-8e5f-8a6b-7c8d9e0f1a2b@ledger.test>"))
        #expect(headers.contains("MIME-Version: 1.0"))
        #expect(headers.contains("List-Unsubscribe: <https://forms.example/unsubscribe?t=abc>, <mailto:unsubscribe@forms.example>"))
        #expect(headers.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"))
        #expect(headers.contains { $0.hasPrefix("Content-Type: multipart/alternative; boundary=\"=_cl_") })
    }

    @Test("every line ends in CRLF, is 7-bit, and stays within 78 characters")
    func lines() throws {
        let long = String(repeating: "Дуже довгий рядок тексту з = знаками та пробілами в кінці   ", count: 6)
        let message = try Self.build(Self.mail(subject: long, text: long + "\n" + long, html: "<p>" + long + "</p>"))
        #expect(message.bytes.allSatisfy { $0 < 0x80 })
        let text = String(decoding: message.bytes, as: UTF8.self)
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "a bare LF")
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\r"), "a bare CR")
        for line in text.components(separatedBy: "\r\n") {
            #expect(line.count <= 78, "\(line.count): \(line)")
        }
    }

    @Test("a non-ASCII subject and bodies decode back to the same text in a mail client (Python's email)")
    func decodes() throws {
        let subject = "Підтвердіть підписку — «Весна» 🌷 " + String(repeating: "ї", count: 80)
        let text = "Привіт, Олено!\n.\n.. a line with dots\nprice = 100 UAH   \nend"
        let html = "<p>Привіт, <b>Олено</b>!</p>"
        let message = try Self.build(Self.mail(subject: subject, text: text, html: html))
        let parsed = try PythonEmail.parse(message.bytes)
        #expect(parsed.subject == subject)
        #expect(parsed.text.replacingOccurrences(of: "\r\n", with: "\n") == text + "\n" || parsed.text.replacingOccurrences(of: "\r\n", with: "\n") == text)
        #expect(parsed.html?.trimmingCharacters(in: .whitespacesAndNewlines) == html)
        #expect(parsed.from == "Ledger News <news@ledger.test>")
        #expect(parsed.defects.isEmpty, "\(parsed.defects)")
        #expect(Self.headers(message).first { $0.hasPrefix("Subject: ") }?.contains("=?UTF-8?B?") == true)
    }

    @Test("a plain ASCII subject is written as it is; a text-only mail is one part")
    func plain() throws {
        let message = try Self.build(Self.mail(subject: "Please confirm", html: nil, mailto: nil))
        let headers = Self.headers(message)
        #expect(headers.contains("Subject: Please confirm"))
        #expect(headers.contains("Content-Type: text/plain; charset=utf-8"))
        #expect(headers.contains("Content-Transfer-Encoding: quoted-printable"))
        #expect(headers.contains("List-Unsubscribe: <https://forms.example/unsubscribe?t=abc>"))
        #expect(try PythonEmail.parse(message.bytes).text.contains("Привіт, Олено!"))
    }

    /// Every way a CR, LF or other control character could reach a header.
    static let injections: [(String, ComposedMail)] = [
        ("Subject CRLF", mail(subject: "Hi\r\nBcc: victim@evil.test")),
        ("Subject LF", mail(subject: "Hi\nBcc: victim@evil.test")),
        ("Subject CR", mail(subject: "Hi\rBcc: victim@evil.test")),
        ("Subject vertical tab", mail(subject: "Hi\u{0B}there")),
        ("Subject NUL", mail(subject: "Hi\u{00}there")),
        ("Subject line separator", mail(subject: "Hi\u{2028}Bcc: victim@evil.test")),
        ("Subject C1 NEL", mail(subject: "Hi\u{85}there")),
        ("recipient CRLF", mail(recipient: "olena@example.com\r\nRCPT TO:<victim@evil.test>")),
        ("recipient LF", mail(recipient: "olena@example.com\nBcc: victim@evil.test")),
        ("Reply-To CRLF", mail(replyTo: "desk@ledger.test\r\nBcc: victim@evil.test")),
        ("List-Unsubscribe https CRLF", mail(https: "https://forms.example/u?t=1\r\nBcc: victim@evil.test")),
        ("List-Unsubscribe mailto LF", mail(mailto: "mailto:u@forms.example\nBcc: victim@evil.test")),
    ]

    @Test("CR, LF and other control characters in any header value are refused, naming the header, not the value",
          arguments: injections.map(\.0))
    func injection(_ name: String) throws {
        let mail = try #require(Self.injections.first { $0.0 == name }?.1)
        let error = try #require(throws: MailError.self) { try Self.build(mail) }
        #expect(error.code == .unsafeHeader, "\(error)")
        #expect(!error.message.contains("victim"), "the message repeats the value: \(error.message)")
    }

    @Test("a display name of the sender with a line break is refused too")
    func fromInjection() throws {
        #expect(throws: MailError.self) { try MailAddress(parsing: "News\r\nBcc: victim@evil.test <news@ledger.test>", field: "--smtp-from") }
        #expect(throws: MailError.self) { try MailAddress(parsing: "news@ledger.test\r\n", field: "--smtp-from") }
    }

    @Test("addresses that are not plain local@domain are refused", arguments: [
        "no-at-sign", "two@@example.com", "a@b@c.test", "<olena@example.com>", "olena@example.com, victim@evil.test",
        "ol ena@example.com", "@example.com", "olena@", "олена@приклад.укр", "olena@.example.com",
    ])
    func addresses(_ address: String) throws {
        #expect(throws: MailError.self) { try Self.build(Self.mail(recipient: address)) }
    }

    @Test("unsubscribe targets must be https and mailto URLs")
    func unsubscribeSchemes() throws {
        #expect(throws: MailError.self) { try Self.build(Self.mail(https: "http://forms.example/u")) }
        #expect(throws: MailError.self) { try Self.build(Self.mail(https: "https://forms.example/u?x=<y>")) }
        #expect(throws: MailError.self) { try Self.build(Self.mail(mailto: "https://forms.example/u")) }
    }

    @Test("dot-stuffing doubles a leading dot and ends the data with a lone dot")
    func dotStuffing() {
        let stuffed = SMTPSession.dotStuffed(Array("a\r\n.b\r\n..c\r\n.\r\n".utf8))
        #expect(String(decoding: stuffed, as: UTF8.self) == "a\r\n..b\r\n...c\r\n..\r\n.\r\n")
    }

    @Test("server replies are recorded with addresses blanked")
    func scrubbing() {
        let text = SMTPReply.scrubbed("550 5.1.1 <olena@example.com>: Recipient address rejected\r\n")
        #expect(!text.contains("olena"))
        #expect(text.contains("[address]"))
        #expect(!text.contains("\r"))
    }
}
