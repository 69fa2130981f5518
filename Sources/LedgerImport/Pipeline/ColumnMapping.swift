import Foundation
import LedgerDomain

/// What one column of an imported file feeds.
public enum ColumnRole: Hashable, Sendable {
    case email
    case phone
    case externalId
    case standard(StandardField)
    case custom(String)
    case ignore
}

/// How the columns of a file map to contact fields: recognised headers first (English,
/// Ukrainian, Russian), `--map` overrides, and every other column a custom field named by its
/// header.
public struct ColumnMapping: Sendable {
    /// The role of each column, in file order.
    public let roles: [ColumnRole]

    /// Headers recognised automatically, compared after `normalise`.
    static let recognised: [String: ColumnRole] = {
        var table = [String: ColumnRole]()
        for header in ["email", "e-mail", "e mail", "пошта", "почта", "електронна пошта", "электронная почта"] { table[header] = .email }
        for header in ["phone", "mobile", "phone number", "mobile phone", "телефон", "мобільний", "мобильный"] { table[header] = .phone }
        for header in ["first name", "firstname", "name", "given name", "ім'я", "имя"] { table[header] = .standard(.firstName) }
        for header in ["last name", "lastname", "surname", "family name", "прізвище", "фамилия"] { table[header] = .standard(.lastName) }
        for header in ["date of birth", "birthday", "birth date", "birthdate", "dob", "дата народження", "дата рождения"] { table[header] = .standard(.birthDate) }
        for header in ["external id", "externalid", "external_id"] { table[header] = .externalId }
        for header in ["language", "language code", "languagecode"] { table[header] = .standard(.languageCode) }
        for header in ["time zone", "timezone"] { table[header] = .standard(.timeZone) }
        return table
    }()

    /// Lowercased, trimmed, with apostrophe variants and runs of spaces or underscores folded.
    public static func normalise(_ header: String) -> String {
        var text = header.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        for apostrophe in ["’", "ʼ", "`", "´"] { text = text.replacingOccurrences(of: apostrophe, with: "'") }
        text = text.replacingOccurrences(of: "_", with: " ")
        while text.contains("  ") { text = text.replacingOccurrences(of: "  ", with: " ") }
        return text
    }

    /// The role a `--map` target names: a standard name, `ignore`, or any other name as a
    /// custom field.
    public static func role(named target: String) -> ColumnRole {
        switch normalise(target).replacingOccurrences(of: "-", with: " ") {
        case "email": .email
        case "phone": .phone
        case "external id", "externalid": .externalId
        case "first name", "firstname": .standard(.firstName)
        case "last name", "lastname": .standard(.lastName)
        case "birth date", "birthdate", "date of birth": .standard(.birthDate)
        case "language code", "languagecode": .standard(.languageCode)
        case "time zone", "timezone": .standard(.timeZone)
        case "ignore", "skip": .ignore
        default: .custom(target)
        }
    }

    /// Maps `header`, with `overrides` (header → target) taking precedence.
    public init(header: [String], overrides: [String: String]) throws {
        var roles = [ColumnRole]()
        let normalisedOverrides = Dictionary(overrides.map { (Self.normalise($0.key), $0.value) }, uniquingKeysWith: { _, last in last })
        for (index, name) in header.enumerated() {
            if let target = normalisedOverrides[Self.normalise(name)] {
                roles.append(Self.role(named: target))
            } else if let role = Self.recognised[Self.normalise(name)] {
                roles.append(role)
            } else if name.trimmingCharacters(in: .whitespaces).isEmpty {
                roles.append(.custom("column \(index + 1)"))
            } else {
                roles.append(.custom(name.trimmingCharacters(in: .whitespaces)))
            }
        }
        let known = Set(header.map(Self.normalise))
        for column in normalisedOverrides.keys where !known.contains(column) {
            throw ImportMappingError(message: "--map names a column \(ValuePreview.quoted(column)) that the file's header does not have")
        }
        var seen = Set<ColumnRole>()
        for role in roles where role != .ignore {
            guard seen.insert(role).inserted else {
                throw ImportMappingError(message: "two columns map to the same field (\(ValuePreview.shortened("\(role)", to: 2 * ValuePreview.characters))); use --map \"Column=ignore\" for one of them")
            }
        }
        self.roles = roles
    }
}

/// A column mapping that cannot work.
public struct ImportMappingError: Error, Sendable, CustomStringConvertible {
    /// What is wrong.
    public let message: String
    public var description: String { message }
}
