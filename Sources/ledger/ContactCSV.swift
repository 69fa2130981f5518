import LedgerDomain
import LedgerProjections

/// The CSV layout of `ledger export contacts --format csv`: the standard columns, one column per
/// custom field, `segments`, and one consent status column per channel.
///
/// Fields are written by `CSVField`: RFC 4180 quoting, records ending in CRLF, and any value or
/// header that a spreadsheet could run as a formula defused with a leading `'` (OWASP's advice
/// on CSV injection).
///
/// Every column has its own header. A custom field named like a fixed column (`id`,
/// `segments`, `consent_email`, ...) or whose name starts with `field:` is written as
/// `field:NAME`; since every name starting with `field:` gets the prefix, two different fields
/// can never share a header (`id` → `field:id`, `field:id` → `field:field:id`).
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
        header = Self.record(Self.standardColumns + self.fieldNames.map(Self.header(forField:)) + ["segments"] + Self.consentColumns)
    }

    /// The prefix that sets a custom field's column apart from a fixed column.
    static let fieldPrefix = "field:"

    /// The header of custom field `name`: the name itself, or `field:NAME` when the name is a
    /// fixed column's or already starts with `field:` (see the type's comment).
    static func header(forField name: String) -> String {
        // Field-definition rules keep custom names clear of the standard fields, but not of
        // `id`, `segments` or `consent_…`, and an import names fields after its column titles
        // without those rules. Compared case-insensitively: `ID` beside `id` confuses people
        // and tools that fold case.
        let lowered = name.lowercased()
        if fixedColumns.contains(lowered) || lowered.hasPrefix(fieldPrefix) { return fieldPrefix + name }
        return name
    }

    /// The fixed columns' names, lowercased.
    static let fixedColumns = Set((standardColumns + ["segments"] + consentColumns).map { $0.lowercased() })

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

    /// The fields joined into one record, each written by `CSVField`.
    static func record(_ fields: [String]) -> String {
        CSVField.record(fields)
    }
}
