import LedgerDomain

/// Where a change came from, as audit JSON shows it: the envelope's source fields (kind and
/// the case's own members) plus the one-line summary the tables print, in one flat object.
public struct AuditSourceDocument: Codable, Hashable, Sendable {
    /// The source's fields, as the envelope JSON shows them.
    public var fields: EnvelopeDocument.SourceDocument
    /// E.g. `file contacts.csv row 12`.
    public var summary: String

    /// The document of `source`.
    public init(_ source: Source) {
        fields = EnvelopeDocument.SourceDocument(source)
        summary = source.summary
    }

    private enum CodingKeys: String, CodingKey {
        case summary
    }

    public init(from decoder: any Decoder) throws {
        fields = try EnvelopeDocument.SourceDocument(from: decoder)
        summary = try decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .summary)
    }

    public func encode(to encoder: any Encoder) throws {
        // Both write into the same JSON object, so the document stays flat.
        try fields.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(summary, forKey: .summary)
    }
}
