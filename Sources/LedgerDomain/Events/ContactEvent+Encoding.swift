extension ContactEvent {
    /// The two stored payload parts of the current version: `data` (non-personal) and
    /// `personalData` (empty for types without personal fields).
    public var encodedPayload: (data: [UInt8], personalData: [UInt8]) {
        var writer = PayloadWriter()
        payload.encode(into: &writer)
        return (writer.data.bytes, writer.personal.bytes)
    }

    /// Appends the two stored payload parts of the current version to `data` and `personal`:
    /// the bytes `encodedPayload` returns, written into buffers the caller keeps and reuses
    /// (a bulk writer encodes millions of events, two arrays each otherwise).
    public func encodePayload(data: inout BinaryWriter, personal: inout BinaryWriter) {
        PayloadWriter.appending(to: &data, &personal) { payload.encode(into: &$0) }
    }

    /// The event ready to append, with plain personal data; a sealing layer may replace
    /// `personalData` with its sealed form and set `personalDataSealed`.
    public func newEvent(
        id: EventID = .timeOrdered(),
        actor: Actor,
        source: Source,
        correlation: EventID? = nil,
        causation: EventID? = nil
    ) -> NewEvent {
        let parts = encodedPayload
        return NewEvent(
            id: id,
            type: type,
            actor: actor,
            source: source,
            correlationID: correlation,
            causationID: causation,
            data: parts.data,
            personalData: parts.personalData,
            personalDataSealed: false
        )
    }
}
