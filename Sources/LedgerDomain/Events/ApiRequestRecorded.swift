/// `apikey.request-recorded` v1: what the API answered to a write request that a client may
/// ask about again: a bulk upsert (`GET /api/v1/importstatus/{session}`) or any request sent
/// with an `Idempotency-Key` (a retry gets the same answer; the same key with another body is
/// refused). One per stream of the `api-request` category, written by the API key that made
/// the request (its actor), after the request's own commit (decision 0024).
public struct ApiRequestRecorded: Hashable, Sendable {
    /// The route, e.g. `POST /api/v1/contacts`.
    public var route: String
    /// The record's id: the bulk's `asyncSessionId`, or the one derived from the idempotency key.
    public var session: String
    /// Whether the request carried an `Idempotency-Key`.
    public var idempotent: Bool
    /// The HTTP status answered.
    public var status: UInt16
    /// The request's fingerprint and the body answered; personal (the answer can quote what a
    /// rejected contact carried), so sealed under the stream's own data key.
    public var reply: Personal<RecordedReply>

    /// Describes a recorded answer.
    public init(route: String, session: String, idempotent: Bool, status: UInt16, reply: Personal<RecordedReply>) {
        self.route = route
        self.session = session
        self.idempotent = idempotent
        self.status = status
        self.reply = reply
    }

    /// The personal part: the request's fingerprint and the answer's body.
    public struct RecordedReply: Hashable, Sendable {
        /// SHA-256 over the method, path and body of the request (32 bytes).
        public var fingerprint: [UInt8]
        /// The response body, as sent (JSON text).
        public var body: String

        /// Describes a reply.
        public init(fingerprint: [UInt8], body: String) {
            self.fingerprint = fingerprint
            self.body = body
        }
    }
}

extension ApiRequestRecorded: EventPayload {
    static func decode(version: UInt16, from payload: inout PayloadReader) throws(PayloadError) -> Self? {
        switch version {
        case 1: try decodeV1(&payload)
        default: nil
        }
    }

    static func decodeV1(_ payload: inout PayloadReader) throws(PayloadError) -> Self {
        let facts = try payload.readData { reader in
            (route: try reader.readString("route"), session: try reader.readString("session"),
             idempotent: try reader.readBool("idempotent"), status: try reader.readUInt16("status"))
        }
        let reply = try payload.readPersonal { reader in
            RecordedReply(fingerprint: try reader.readBytes("fingerprint"), body: try reader.readString("reply body"))
        }
        return Self(route: facts.route, session: facts.session, idempotent: facts.idempotent, status: facts.status, reply: reply)
    }

    func encode(into payload: inout PayloadWriter) {
        payload.data.writeString(route)
        payload.data.writeString(session)
        payload.data.writeBool(idempotent)
        payload.data.write(status)
        payload.writePersonal(reply) { writer, reply in
            writer.writeBytes(reply.fingerprint)
            writer.writeString(reply.body)
        }
    }

    var jsonObject: [String: JSONValue] {
        [
            "route": .string(route),
            "session": .string(session),
            "idempotent": .bool(idempotent),
            "status": .number(Double(status)),
            "reply": reply.json { reply in
                .object([
                    "fingerprint": .string(reply.fingerprint.map { byte in
                        let digits = Array("0123456789abcdef")
                        return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
                    }.joined()),
                    "body": .string(reply.body),
                ])
            },
        ]
    }
}
