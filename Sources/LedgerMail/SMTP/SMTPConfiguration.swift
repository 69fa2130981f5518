/// Where and how the sender delivers: `ledger serve --smtp host:port [--smtp-user U
/// --smtp-password-file F] [--smtp-starttls required|opportunistic|off] [--smtp-ca-file F]`.
public struct SMTPConfiguration: Sendable {
    /// Whether to upgrade the connection with STARTTLS (RFC 3207).
    public enum StartTLS: String, CaseIterable, Sendable {
        /// Refuse to send unless the server offers STARTTLS.
        case required
        /// Use it when the server offers it (the default).
        case opportunistic
        /// Never (a relay on loopback).
        case off
    }

    /// The server's host name or address.
    public var host: String
    /// The server's port (25, 587, or a test server's).
    public var port: Int
    /// Whether to use STARTTLS.
    public var startTLS: StartTLS
    /// The login, when the server wants AUTH (PLAIN, or LOGIN when only that is offered).
    public var username: String?
    /// The password; held in memory only, never logged.
    public var password: String?
    /// A PEM file of CA certificates to trust instead of the system's (a private relay, tests).
    public var trustRootsFile: String?
    /// The name given in EHLO.
    public var heloName: String
    /// How long to wait for the connection.
    public var connectTimeout: Duration
    /// How long to wait for each reply but the last (RFC 5321 §4.5.3.2 allows minutes).
    public var commandTimeout: Duration
    /// How long to wait for the reply to the message's data (RFC 5321: 10 minutes).
    public var dataTimeout: Duration

    /// Describes a server.
    public init(
        host: String, port: Int, startTLS: StartTLS = .opportunistic, username: String? = nil, password: String? = nil,
        trustRootsFile: String? = nil, heloName: String = "localhost",
        connectTimeout: Duration = .seconds(30), commandTimeout: Duration = .seconds(120), dataTimeout: Duration = .seconds(600)
    ) {
        self.host = host
        self.port = port
        self.startTLS = startTLS
        self.username = username
        self.password = password
        self.trustRootsFile = trustRootsFile
        self.heloName = heloName
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.dataTimeout = dataTimeout
    }

    /// Reads `host:port` (`[v6]:port` for an IPv6 address).
    public static func endpoint(_ text: String) throws(MailError) -> (host: String, port: Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (1...65_535).contains(port) else {
            throw MailError(.configuration, "--smtp takes host:port, e.g. smtp.example.com:587")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, host.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
            throw MailError(.configuration, "--smtp takes host:port, e.g. smtp.example.com:587")
        }
        return (host, port)
    }

    /// Whether the host is this machine, where a password may go without TLS.
    var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}
