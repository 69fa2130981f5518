extension ContactEvent {
    /// The canonical JSON of the payload, for `EnvelopeDocument(event, payload:)`: camelCase
    /// keys, dates as `YYYY-MM-DD`, numbers of fields as exact text, erased personal values
    /// as `"[erased]"`. Each type's form is `Schemas/events/<type>.v<N>.schema.json`.
    public var jsonPayload: JSONValue {
        .object(payload.jsonObject)
    }
}
