import Foundation
import LedgerContacts
import LedgerDomain

/// Turns one row of a file into a contact request, or says why the row is refused. A message
/// quotes at most the start of a value (`ValuePreview`).
struct RowConverter {
    let mapping: ColumnMapping
    let header: [String]
    let fieldTypes: [String: FieldType]
    let segments: [String]
    let dayFirst: Bool
    /// Each column's field and the type its values are read with (nil: not a field), looked
    /// up once here rather than by name for every row.
    private let columnFields: [(field: ContactField, type: FieldType)?]

    init(mapping: ColumnMapping, header: [String], fieldTypes: [String: FieldType], segments: [String], dayFirst: Bool) {
        self.mapping = mapping
        self.header = header
        self.fieldTypes = fieldTypes
        self.segments = segments
        self.dayFirst = dayFirst
        columnFields = mapping.roles.map { role in
            switch role {
            case .standard(let field): (.standard(field), field.valueType)
            case .custom(let name): (.custom(name), fieldTypes[name] ?? .text)
            case .email, .phone, .externalId, .ignore: nil
            }
        }
    }

    /// The request of `row`; a value that cannot be read is a `RowRejection` naming the column.
    func input(_ row: Row) throws(RowRejection) -> ContactInput {
        if let problem = row.problem { throw RowRejection(reason: problem.message) }
        var input = ContactInput(segments: segments)
        input.fields.reserveCapacity(mapping.roles.count)
        for (index, role) in mapping.roles.enumerated() {
            let raw = index < row.fields.count ? row.fields[index].trimmingWhitespace : ""
            switch role {
            case .ignore:
                continue
            case .email:
                input.email = raw.isEmpty ? nil : raw
            case .phone:
                input.phone = raw.isEmpty ? nil : raw
            case .externalId:
                input.externalId = raw.isEmpty ? nil : raw
            case .standard, .custom:
                guard let (field, type) = columnFields[index] else { continue }
                input.fields.append((field, try value(raw, type: type, column: index)))
            }
        }
        return input
    }

    /// How messages name column `index`: its header (its start, when long), or its number when it has none.
    private func columnName(_ index: Int) -> String {
        index < header.count ? ValuePreview.shortened(header[index], to: ValuePreview.characters) : "column \(index + 1)"
    }

    /// Named by index, not name: the name is only needed for a message, which few rows have.
    private func value(_ raw: String, type: FieldType, column index: Int) throws(RowRejection) -> FieldValue? {
        let column = { columnName(index) }
        guard !raw.isEmpty else { return nil }
        switch type {
        case .text:
            return .text(raw)
        case .number:
            guard let number = DecimalNumber(raw.replacingOccurrences(of: ",", with: ".")) else {
                throw RowRejection(reason: "\(column()): \(ValuePreview.quoted(raw)) is not a number")
            }
            return .number(number)
        case .date:
            guard let date = DateReader.date(raw, dayFirst: dayFirst) else {
                throw RowRejection(reason: "\(column()): \(ValuePreview.quoted(raw)) is not a date (YYYY-MM-DD, DD.MM.YYYY, \(dayFirst ? "DD/MM/YYYY" : "MM/DD/YYYY") or an Excel serial date)")
            }
            return .date(date)
        case .bool:
            switch raw.lowercased() {
            case "true", "yes", "1", "так", "да": return .bool(true)
            case "false", "no", "0", "ні", "нет": return .bool(false)
            default: throw RowRejection(reason: "\(column()): \(ValuePreview.quoted(raw)) is not true or false")
            }
        }
    }
}

/// Why a row was refused.
struct RowRejection: Error {
    let reason: String
}
