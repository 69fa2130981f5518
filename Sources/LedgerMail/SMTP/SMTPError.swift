/// A failed SMTP exchange: the stage it failed at and the server's reply, if there was one.
///
/// Whether the mail can be tried again follows from both (`isPermanent`): a 5xx to the mail
/// itself (`MAIL FROM`, `RCPT TO`, `DATA`, the message) ends it; anything before (no
/// connection, greeting, EHLO, TLS, login) is about the server or our settings, not the mail,
/// and is tried again after a back-off whatever its code, as is every 4xx.
public struct SMTPError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Where the exchange failed.
    public enum Stage: String, Hashable, Sendable {
        case connect, reply, greeting, ehlo, startTLS = "starttls", auth
        case mailFrom = "mail-from", rcptTo = "rcpt-to", data, message
    }

    /// Where the exchange failed.
    public let stage: Stage
    /// The server's reply, when the failure was one.
    public let reply: SMTPReply?
    /// What went wrong, in words (scrubbed of addresses when it holds a reply).
    public let message: String

    /// Describes a failure.
    public init(stage: Stage, reply: SMTPReply?, _ message: String) {
        self.stage = stage
        self.reply = reply
        self.message = message
    }

    /// A reply that was not the one expected at `stage`.
    public init(stage: Stage, unexpected reply: SMTPReply) {
        self.init(stage: stage, reply: reply, "the server answered \(SMTPReply.scrubbed(reply.description)) to \(stage.rawValue)")
    }

    /// Whether the mail is given up: a 5xx reply to the mail's own commands.
    public var isPermanent: Bool {
        guard let reply, (500..<600).contains(reply.code) else { return false }
        return [.mailFrom, .rcptTo, .data, .message].contains(stage)
    }

    public var description: String { message }
}
