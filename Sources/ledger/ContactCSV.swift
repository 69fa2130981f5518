import LedgerDomain
import LedgerProjections

/// The CSV layout of `ledger export contacts --format csv`: the standard columns, one column per
/// custom field, `segments`, and one consent status column per channel.
///
/// Quoting follows RFC 4180: a field holding a comma, a double quote, CR or LF is enclosed in
/// double quotes, with inner double quotes doubled; records end in CRLF.
struct ContactCSV {
    /// The standard columns, in the order of the NDJSON document's keys.
    static let standardColumns = ["id", "externalId", "email", "phone", "firstName", "lastName", "birthDate", "languageCode", "timeZone"]

    /// The consent columns, one per channel, in the channels' declared order.
    static let consentColumns = ConsentChannel.allCases.map { "consent_" + $0.label }

    /// Custom field names, sorted; each has a column.
    let fieldNames: [String]

    /// The header row, CRLF included.
    let header: String

    /// A layout with a column for each of `fieldNames`.
    init(fieldNames: Set<String>) {
        self.fieldNames = fieldNames.sorted()
        // Field-definition rules keep custom names clear of the standard fields, but not of
        // `id`, `segments` or `consent_…`, and the log may hold names the rules would refuse:
        // a clashing name gets a `field:` prefix, which no valid field name can have.
        let fixed = Set(Self.standardColumns + ["segments"] + Self.consentColumns)
        let custom = self.fieldNames.map { fixed.contains($0) ? "field:" + $0 : $0 }
        header = Self.record(Self.standardColumns + custom + ["segments"] + Self.consentColumns)
    }

    /// One contact's record, CRLF included.
    func row(_ contact: ContactState) -> String {
        let document = contact.document
        var values = [
            String(document.id), document.externalId ?? "", document.email ?? "", document.phone ?? "",
            document.firstName ?? "", document.lastName ?? "", document.birthDate ?? "",
            document.languageCode ?? "", document.timeZone ?? "",
        ]
        for name in fieldNames {
            values.append(contact.fields[name].map(Self.text) ?? "")
        }
        values.append(document.segments.joined(separator: ";"))
        for channel in ConsentChannel.allCases {
            values.append(document.consent[channel.label]?.status ?? "")
        }
        return Self.record(values)
    }

    /// A custom field's value as CSV text: numbers in their exact canonical form, dates as
    /// `YYYY-MM-DD`, yes or no as `true` or `false`.
    static func text(_ value: FieldValue) -> String {
        switch value {
        case .text(let text): text
        case .number(let number): number.canonical
        case .date(let date): date.iso8601
        case .bool(let flag): flag ? "true" : "false"
        }
    }

    /// The fields joined into one record, each quoted where RFC 4180 requires it.
    static func record(_ fields: [String]) -> String {
        fields.map(quoted).joined(separator: ",") + "\r\n"
    }

    /// `field` as RFC 4180 writes it.
    static func quoted(_ field: String) -> String {
        // Bytes, not Characters: "\r\n" is one Character, and the check must see both.
        guard field.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0D || $0 == 0x0A }) else {
            return field
        }
        var out = "\""
        for scalar in field.unicodeScalars {
            if scalar == "\"" { out += "\"\"" } else { out.unicodeScalars.append(scalar) }
        }
        return out + "\""
    }
}
