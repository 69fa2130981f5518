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
    /// The text is read by `FieldValueReader`, as every door reads it.
    private func value(_ raw: String, type: FieldType, column index: Int) throws(RowRejection) -> FieldValue? {
        // Text is text (as the reader says), without a call into another module per cell.
        if type == .text { return raw.isEmpty ? nil : .text(raw) }
        do {
            return try FieldValueReader.read(raw, as: type, dayFirst: dayFirst)
        } catch {
            throw RowRejection(reason: "\(columnName(index)): \(ValuePreview.quoted(raw)) \(error)")
        }
    }
}

/// Why a row was refused.
struct RowRejection: Error {
    let reason: String
}
