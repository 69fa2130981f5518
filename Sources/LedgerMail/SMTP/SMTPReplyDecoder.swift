import NIOCore

/// Frames the server's bytes into `SMTPReply`s: lines ending in CRLF (a bare LF is taken too),
/// each `NNN-text` (more to come) or `NNN text` / `NNN` (the last), all with the same code.
/// A line longer than 4,096 bytes, or a reply of more than 256 lines, is an error rather
/// than memory spent on a broken or hostile server.
struct SMTPReplyDecoder: ByteToMessageDecoder {
    typealias InboundOut = SMTPReply

    static let maximumLineLength = 4096
    static let maximumLines = 256
    private var code = 0
    private var lines = [String]()

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let view = buffer.readableBytesView
        guard let newline = view.firstIndex(of: 0x0A) else {
            if view.count > Self.maximumLineLength {
                throw SMTPError(stage: .reply, reply: nil, "the server sent a line longer than \(Self.maximumLineLength) bytes")
            }
            return .needMoreData
        }
        let length = newline - view.startIndex + 1
        guard length <= Self.maximumLineLength + 2, let bytes = buffer.readBytes(length: length) else {
            throw SMTPError(stage: .reply, reply: nil, "the server sent a line longer than \(Self.maximumLineLength) bytes")
        }
        var line = bytes.dropLast()
        if line.last == 0x0D { line = line.dropLast() }
        let digits = line.prefix(3)
        guard digits.count == 3, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            throw SMTPError(stage: .reply, reply: nil, "the server sent a line that is not an SMTP reply")
        }
        let lineCode = digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
        let separator = line.dropFirst(3).first
        guard separator == nil || separator == UInt8(ascii: " ") || separator == UInt8(ascii: "-") else {
            throw SMTPError(stage: .reply, reply: nil, "the server sent a line that is not an SMTP reply")
        }
        guard lines.isEmpty || lineCode == code, lines.count < Self.maximumLines else {
            throw SMTPError(stage: .reply, reply: nil, "the server sent a malformed multi-line reply")
        }
        code = lineCode
        lines.append(String(decoding: line.dropFirst(4), as: UTF8.self))
        if separator != UInt8(ascii: "-") {
            context.fireChannelRead(wrapInboundOut(SMTPReply(code: code, lines: lines)))
            lines = []
        }
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}
