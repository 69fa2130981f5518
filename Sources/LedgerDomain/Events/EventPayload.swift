/// The payload of one or more event types: how it is stored, read back and shown as JSON.
///
/// Upcasting lives in `decode(version:from:)`. Each released version keeps its own reader
/// forever (`decodeV1`), and an older one is brought to the current shape by a pure function
/// of the decoded value: when `contact.created` gets a v2, `decodeV1` returns a
/// `ContactCreated.V1` and `upcastV1toV2(_:)` turns it into the current `ContactCreated`.
/// Writers only ever write the current version. Stored bytes are never rewritten.
protocol EventPayload: Hashable, Sendable {
    /// Reads a stored payload of `version` as the current shape; nil for a version this
    /// build does not know.
    static func decode(version: UInt16, from payload: inout PayloadReader) throws(PayloadError) -> Self?

    /// Writes the current version.
    func encode(into payload: inout PayloadWriter)

    /// The canonical JSON form: camelCase keys, erased personal values as `"[erased]"`.
    var jsonObject: [String: JSONValue] { get }
}

/// What erased personal values read as in JSON.
let erasedJSON = JSONValue.string("[erased]")

extension Personal {
    /// The JSON of the known value, or the erased marker.
    func json(_ transform: (Value) -> JSONValue) -> JSONValue {
        switch self {
        case .known(let value): transform(value)
        case .erased: erasedJSON
        }
    }
}
