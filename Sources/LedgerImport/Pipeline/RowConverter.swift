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
    /// What every row's consent starts from: the import's stated status and purpose; nil when
    /// the import records no consent (`--consent none` and no consent column).
    let consent: ConsentInput?
    /// The moment consent times may not be later than: when the import started.
    let now: Int64
    /// Each column's field and the type its values are read with (nil: not a field), looked
    /// up once here rather than by name for every row.
    private let columnFields: [(field: ContactField, type: FieldType)?]
    /// What every row's request starts from (the segments and the consent): copied for each
    /// row, which costs a third of making it anew through its initialiser in another module.
    private let blank: ContactInput

    init(mapping: ColumnMapping, header: [String], fieldTypes: [String: FieldType], segments: [String], dayFirst: Bool, consent: ConsentInput? = nil, now: Int64 = Int64.max) {
        self.mapping = mapping
        self.header = header
        self.fieldTypes = fieldTypes
        self.segments = segments
        self.dayFirst = dayFirst
        let hasConsentColumns = mapping.roles.contains { if case .consent = $0 { true } else { false } }
        self.consent = consent.flatMap { $0.stated == nil && !hasConsentColumns ? nil : $0 }
        self.now = now
        blank = ContactInput(segments: segments, consent: self.consent)
        columnFields = mapping.roles.map { role in
            switch role {
            case .standard(let field): (.standard(field), field.valueType)
            case .custom(let name): (.custom(name), fieldTypes[name] ?? .text)
            case .email, .phone, .externalId, .consent, .push, .tags, .ignore: nil
            }
        }
    }

    /// The request of `row`; a value that cannot be read is a `RowRejection` naming the column.
    /// `pushChannels` are the push channels the row's tokens are on: its consent covers them.
    func input(_ row: Row, pushChannels: [ConsentChannel] = []) throws(RowRejection) -> ContactInput {
        if let problem = row.problem { throw RowRejection(reason: problem.message) }
        var input = blank
        input.fields.reserveCapacity(mapping.roles.count)
        // Whether a consent column was read: only then can the row's consent contradict itself.
        var readsConsent = false
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
            case .consent(let column):
                if !raw.isEmpty {
                    try read(raw, column, index: index, into: &input.consent)
                    readsConsent = true
                }
            case .push:
                // Read by `pushCells`: the token side checks and records them.
                continue
            case .tags:
                guard !raw.isEmpty else { continue }
                do {
                    for tag in try TagCell.tags(raw) where !input.segments.contains(tag) { input.segments.append(tag) }
                } catch {
                    throw RowRejection(reason: "\(columnName(index)): \(ValuePreview.quoted(raw)) \(error.reason)")
                }
            }
        }
        if readsConsent, let problem = input.consent?.problem { throw RowRejection(reason: "consent: \(problem)") }
        if !pushChannels.isEmpty { input.consent?.pushChannels = pushChannels }
        return input
    }

    /// The row's push cells (trimmed; empty ones left out).
    func pushCells(_ row: Row) -> PushCells {
        var cells = PushCells()
        for (index, role) in mapping.roles.enumerated() {
            guard case .push(let column) = role, index < row.fields.count else { continue }
            let raw = row.fields[index].trimmingWhitespace
            if !raw.isEmpty { cells[column] = raw }
        }
        return cells
    }

    /// Reads a consent cell into `consent` (made when the import records none by default).
    private func read(_ raw: String, _ column: ConsentColumn, index: Int, into consent: inout ConsentInput?) throws(RowRejection) {
        var read = consent ?? ConsentInput(stated: nil, purpose: ImportOptions.defaultPurpose)
        do {
            switch column {
            case .emailStatus: read.email = try ConsentCellReader.status(raw)
            case .smsStatus: read.sms = try ConsentCellReader.status(raw)
            case .status: read.all = try ConsentCellReader.status(raw)
            case .optInTime: read.optInAt = try ConsentCellReader.time(raw, dayFirst: dayFirst, now: now)
            case .optInIP: read.optInIP = try ConsentCellReader.ipAddress(raw)
            case .confirmTime: read.confirmedAt = try ConsentCellReader.time(raw, dayFirst: dayFirst, now: now)
            case .confirmIP: read.confirmIP = try ConsentCellReader.ipAddress(raw)
            case .unsubscribeTime: read.unsubscribedAt = try ConsentCellReader.time(raw, dayFirst: dayFirst, now: now)
            case .unsubscribeReason: read.unsubscribeReason = raw
            case .cleanTime: read.cleanedAt = try ConsentCellReader.time(raw, dayFirst: dayFirst, now: now)
            case .lastChanged: read.lastChangedAt = try ConsentCellReader.time(raw, dayFirst: dayFirst, now: now)
            case .wording: read.wordingVersion = raw
            }
        } catch {
            throw RowRejection(reason: "\(columnName(index)): \(ValuePreview.quoted(raw)) \(error.reason)")
        }
        consent = read
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
