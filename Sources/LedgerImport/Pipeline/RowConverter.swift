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

/// Reading the dates real contact bases hold.
enum DateReader {
    /// ISO 8601 (a time part is ignored), `d.m.Y`, `d/m/Y` or `m/d/Y` (by `dayFirst`), or an
    /// Excel serial date (1900 system).
    static func date(_ text: String, dayFirst: Bool) -> CalendarDate? {
        if let date = CalendarDate(iso8601: String(text.prefix(10))), text.count == 10 || text.dropFirst(10).first == "T" || text.dropFirst(10).first == " " {
            return date
        }
        for separator: Character in [".", "/", "-"] {
            let parts = text.split(separator: separator, omittingEmptySubsequences: false)
            guard parts.count == 3, parts[2].count == 4, let first = Int(parts[0]), let second = Int(parts[1]), let year = Int(parts[2]) else { continue }
            let dayFirstHere = separator == "." ? true : dayFirst
            return dayFirstHere ? CalendarDate(year: year, month: second, day: first) : CalendarDate(year: year, month: first, day: second)
        }
        if text.allSatisfy(\.isASCII), text.allSatisfy(\.isNumber), let serial = Int(text), (1...2_958_465).contains(serial) {
            return CalendarDate(iso8601: SpreadsheetDate.date(day: serial, uses1904Dates: false))
        }
        return nil
    }
}
