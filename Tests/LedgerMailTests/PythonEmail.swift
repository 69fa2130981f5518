import Foundation

/// Reads a message with Python's standard `email` package, an independent parser: what it
/// decodes (RFC 2047 subject, quoted-printable parts) is what a mail client would show.
enum PythonEmail {
    struct Parsed: Decodable {
        let subject: String
        let from: String
        let to: String
        let text: String
        let html: String?
        let defects: [String]
    }

    static func parse(_ raw: [UInt8]) throws -> Parsed {
        let script = """
            import email, json, sys
            from email import policy
            message = email.message_from_bytes(sys.stdin.buffer.read(), policy=policy.default)
            text = message.get_body(preferencelist=('plain',))
            html = message.get_body(preferencelist=('html',))
            defects = [type(d).__name__ for part in message.walk() for d in part.defects]
            print(json.dumps({"subject": str(message["subject"]), "from": str(message["from"]), "to": str(message["to"]),
                              "text": text.get_content(), "html": html.get_content() if html is not None else None, "defects": defects}))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(Data(raw))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return try JSONDecoder().decode(Parsed.self, from: data)
    }
}
