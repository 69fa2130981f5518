import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// A small SMTP client on SwiftNIO (decision 0021): one connection per mail, EHLO, STARTTLS
/// through NIOSSL when offered (or required), AUTH PLAIN or LOGIN, `MAIL FROM`, `RCPT TO`,
/// `DATA` with dot-stuffing, `QUIT`; multi-line replies, and a timeout on every wait.
public struct SMTPClient: Sendable {
    /// The server and how to talk to it.
    public let configuration: SMTPConfiguration
    private let group: any EventLoopGroup
    private let tls: NIOSSLContext?

    /// A client of the server `configuration` names, on NIO's shared event loops.
    public init(configuration: SMTPConfiguration, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) throws {
        self.configuration = configuration
        self.group = group
        if configuration.startTLS == .off {
            tls = nil
        } else {
            var tlsConfiguration = TLSConfiguration.makeClientConfiguration()
            if let file = configuration.trustRootsFile { tlsConfiguration.trustRoots = .file(file) }
            do {
                tls = try NIOSSLContext(configuration: tlsConfiguration)
            } catch {
                throw MailError(.configuration, "cannot set up TLS for the SMTP server: \(error)")
            }
        }
    }

    /// Delivers `message` and returns the server's reply to its data (250). Throws an
    /// `SMTPError` naming the stage that failed.
    public func send(_ message: MailMessage) async throws -> SMTPReply {
        let channel: NIOAsyncChannel<SMTPReply, ByteBuffer>
        do {
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(.nanoseconds(Int64(configuration.connectTimeout.components.seconds) * 1_000_000_000))
                .connect(host: configuration.host, port: configuration.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(SMTPReplyDecoder()))
                        return try NIOAsyncChannel<SMTPReply, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw SMTPError(stage: .connect, reply: nil, "cannot connect to \(configuration.host):\(configuration.port): \(error)")
        }
        let configuration = configuration
        let tls = tls
        return try await channel.executeThenClose { inbound, outbound in
            var session = SMTPSession(
                channel: channel.channel, replies: inbound.makeAsyncIterator(), outbound: outbound,
                configuration: configuration, tls: tls)
            return try await session.deliver(message)
        }
    }
}

/// One connection's exchange, in order; `SMTPClient.send` runs it.
struct SMTPSession {
    let channel: any Channel
    var replies: NIOAsyncChannelInboundStream<SMTPReply>.AsyncIterator
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    let configuration: SMTPConfiguration
    let tls: NIOSSLContext?

    mutating func deliver(_ message: MailMessage) async throws -> SMTPReply {
        let greeting = try await reply(.greeting, configuration.commandTimeout)
        _ = try Self.expect(greeting, 220, at: .greeting)
        var capabilities = try await ehlo()
        var secure = false
        if let tls, capabilities.contains("STARTTLS") {
            _ = try await command("STARTTLS", .startTLS, expecting: [220])
            do {
                let host = configuration.host
                let isAddress = (try? SocketAddress(ipAddress: host, port: 0)) != nil
                let channel = channel
                // Made and added on the channel's event loop: handlers are not Sendable.
                try await channel.eventLoop.submit {
                    let handler = try NIOSSLClientHandler(context: tls, serverHostname: isAddress ? nil : host)
                    try channel.pipeline.syncOperations.addHandler(handler, position: .first)
                }.get()
            } catch {
                throw SMTPError(stage: .startTLS, reply: nil, "cannot start TLS: \(error)")
            }
            secure = true
            capabilities = try await ehlo()
        } else if configuration.startTLS == .required {
            throw SMTPError(stage: .startTLS, reply: nil, "the server does not offer STARTTLS, and --smtp-starttls is required")
        }
        if let username = configuration.username {
            try await authenticate(username: username, password: configuration.password ?? "", capabilities: capabilities, secure: secure)
        }
        _ = try await command("MAIL FROM:<\(message.sender.address)>", .mailFrom, expecting: [250])
        _ = try await command("RCPT TO:<\(message.recipient.address)>", .rcptTo, expecting: [250, 251])
        _ = try await command("DATA", .data, expecting: [354])
        try await write(Self.dotStuffed(message.bytes), .message)
        let final = try await reply(.message, configuration.dataTimeout)
        _ = try Self.expect(final, 250, at: .message)
        // The mail is delivered: a failed QUIT changes nothing.
        try? await write(Array("QUIT\r\n".utf8), .message)
        _ = try? await reply(.message, .seconds(5))
        return final
    }

    /// EHLO and the capabilities its reply lists (the keywords, upper-cased, with their
    /// parameters), the greeting line left out.
    mutating func ehlo() async throws -> Set<String> {
        let reply = try await command("EHLO \(configuration.heloName)", .ehlo, expecting: [250])
        var capabilities = Set<String>()
        for line in reply.lines.dropFirst() {
            let words = line.uppercased().split(separator: " ")
            guard let keyword = words.first else { continue }
            capabilities.insert(String(keyword))
            for parameter in words.dropFirst() { capabilities.insert(String(keyword) + " " + String(parameter)) }
        }
        return capabilities
    }

    /// AUTH PLAIN (RFC 4616) when offered, else AUTH LOGIN. Never without TLS to a host that
    /// is not this machine: the password would cross the network in the clear.
    mutating func authenticate(username: String, password: String, capabilities: Set<String>, secure: Bool) async throws {
        guard secure || configuration.isLoopback else {
            throw SMTPError(stage: .auth, reply: nil, "refusing to send the SMTP password without TLS to \(configuration.host)")
        }
        if capabilities.contains("AUTH PLAIN") {
            let token = MailEncoding.base64([0] + Array(username.utf8) + [0] + Array(password.utf8))
            _ = try await command("AUTH PLAIN \(token)", .auth, expecting: [235], secret: true)
        } else if capabilities.contains("AUTH LOGIN") {
            _ = try await command("AUTH LOGIN", .auth, expecting: [334])
            _ = try await command(MailEncoding.base64(Array(username.utf8)), .auth, expecting: [334], secret: true)
            _ = try await command(MailEncoding.base64(Array(password.utf8)), .auth, expecting: [235], secret: true)
        } else {
            throw SMTPError(stage: .auth, reply: nil, "the server offers neither AUTH PLAIN nor AUTH LOGIN")
        }
    }

    /// Sends one command line and waits for its reply, which must have one of `codes`.
    mutating func command(_ line: String, _ stage: SMTPError.Stage, expecting codes: Set<Int>, secret: Bool = false) async throws -> SMTPReply {
        try await write(Array((line + "\r\n").utf8), stage)
        let answer = try await reply(stage, configuration.commandTimeout)
        guard codes.contains(answer.code) else { throw SMTPError(stage: stage, unexpected: answer) }
        return answer
    }

    static func expect(_ reply: SMTPReply, _ code: Int, at stage: SMTPError.Stage) throws -> SMTPReply {
        guard reply.code == code else { throw SMTPError(stage: stage, unexpected: reply) }
        return reply
    }

    func write(_ bytes: [UInt8], _ stage: SMTPError.Stage) async throws {
        do {
            try await outbound.write(ByteBuffer(bytes: bytes))
        } catch {
            throw SMTPError(stage: stage, reply: nil, "the connection was lost while writing: \(error)")
        }
    }

    /// The next reply; the connection is closed if none comes within `timeout`.
    mutating func reply(_ stage: SMTPError.Stage, _ timeout: Duration) async throws -> SMTPReply {
        let timedOut = TimeoutFlag()
        let channel = channel
        let nanoseconds = Int64(timeout.components.seconds) * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
        let timer = channel.eventLoop.scheduleTask(in: .nanoseconds(nanoseconds)) {
            timedOut.set()
            channel.close(promise: nil)
        }
        defer { timer.cancel() }
        do {
            guard let reply = try await replies.next() else {
                throw SMTPError(stage: stage, reply: nil, "the server closed the connection")
            }
            return reply
        } catch let error as SMTPError where !timedOut.isSet {
            throw error
        } catch {
            if timedOut.isSet {
                throw SMTPError(stage: stage, reply: nil, "no reply to \(stage.rawValue) within \(timeout.components.seconds) s")
            }
            throw SMTPError(stage: stage, reply: nil, "the connection was lost: \(error)")
        }
    }

    /// The message with a `.` put before every line that starts with one (RFC 5321 §4.5.2),
    /// and the terminating `.` line.
    static func dotStuffed(_ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count + 64)
        var lineStart = true
        for byte in bytes {
            if lineStart && byte == UInt8(ascii: ".") { out.append(UInt8(ascii: ".")) }
            out.append(byte)
            lineStart = byte == 0x0A
        }
        if !(out.suffix(2) == [0x0D, 0x0A]) { out += [0x0D, 0x0A] }
        out += Array(".\r\n".utf8)
        return out
    }
}

/// Set by a reply's timer when it fires, so the error says "no reply" rather than "lost".
final class TimeoutFlag: Sendable {
    private let state = Mutex(false)

    func set() { state.withLock { $0 = true } }

    var isSet: Bool { state.withLock { $0 } }
}
