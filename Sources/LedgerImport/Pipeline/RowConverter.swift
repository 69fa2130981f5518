import Foundation
import LedgerContacts
import LedgerDomain

/// Turns one row of a file into a contact request, or says why the row is refused.
struct RowConverter {
    let mapping: ColumnMapping
    let header: [String]
    let fieldTypes: [String: FieldType]
    let segments: [String]
    let dayFirst: Bool

    /// The request of `row`; a value that cannot be read is a `RowRejection` naming the column.
    func input(_ row: Row) throws(RowRejection) -> ContactInput {
        if let problem = row.problem { throw RowRejection(reason: problem.message) }
        var input = ContactInput(segments: segments)
        input.fields.reserveCapacity(mapping.roles.count)
        for (index, role) in mapping.roles.enumerated() {
            let raw = index < row.fields.count ? row.fields[index].trimmingWhitespace : ""
            let column = index < header.count ? header[index] : "column \(index + 1)"
            switch role {
            case .ignore:
                continue
            case .email:
                input.email = raw.isEmpty ? nil : raw
            case .phone:
                input.phone = raw.isEmpty ? nil : raw
            case .externalId:
                input.externalId = raw.isEmpty ? nil : raw
            case .standard(let field):
                input.fields.append((.standard(field), try value(raw, type: field.valueType, column: column)))
            case .custom(let name):
                input.fields.append((.custom(name), try value(raw, type: fieldTypes[name] ?? .text, column: column)))
            }
        }
        return input
    }

    private func value(_ raw: String, type: FieldType, column: String) throws(RowRejection) -> FieldValue? {
        guard !raw.isEmpty else { return nil }
        switch type {
        case .text:
            return .text(raw)
        case .number:
            guard let number = DecimalNumber(raw.replacingOccurrences(of: ",", with: ".")) else {
                throw RowRejection(reason: "\(column): \"\(raw)\" is not a number")
            }
            return .number(number)
        case .date:
            guard let date = DateReader.date(raw, dayFirst: dayFirst) else {
                throw RowRejection(reason: "\(column): \"\(raw)\" is not a date (YYYY-MM-DD, DD.MM.YYYY, \(dayFirst ? "DD/MM/YYYY" : "MM/DD/YYYY") or an Excel serial date)")
            }
            return .date(date)
        case .bool:
            switch raw.lowercased() {
            case "true", "yes", "1", "так", "да": return .bool(true)
            case "false", "no", "0", "ні", "нет": return .bool(false)
            default: throw RowRejection(reason: "\(column): \"\(raw)\" is not true or false")
            }
        }
    }
}

/// Why a row was refused.
struct RowRejection: Error {
    let reason: String
}
