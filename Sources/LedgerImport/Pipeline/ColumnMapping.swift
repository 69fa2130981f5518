import Foundation
import LedgerDomain

/// What one column of an imported file feeds.
public enum ColumnRole: Hashable, Sendable {
    case email
    case phone
    case externalId
    case standard(StandardField)
    case custom(String)
    /// A column about the row's consent (issue 20).
    case consent(ConsentColumn)
    case ignore
}

/// What a consent column of an imported file holds: a status per channel or for the row, when
/// and from where the person opted in, confirmed or unsubscribed, and under which wording.
/// Mailchimp's audience export headers (`OPTIN_TIME`, `CONFIRM_IP`, `UNSUB_REASON`, ...) are
/// recognised as they are.
public enum ConsentColumn: String, Hashable, Sendable, CaseIterable {
    case emailStatus = "consent-email"
    case smsStatus = "consent-sms"
    case status = "consent-status"
    case optInTime = "optin-time"
    case optInIP = "optin-ip"
    case confirmTime = "confirm-time"
    case confirmIP = "confirm-ip"
    case unsubscribeTime = "unsub-time"
    case unsubscribeReason = "unsub-reason"
    case cleanTime = "clean-time"
    case lastChanged = "last-changed"
    case wording = "consent-wording"

    /// Whether the column holds a time.
    var holdsTime: Bool {
        switch self {
        case .optInTime, .confirmTime, .unsubscribeTime, .cleanTime, .lastChanged: true
        default: false
        }
    }

    /// Header spellings (after `ColumnMapping.normalise`) of files that carry consent:
    /// Mailchimp's, plain English ones, and Ukrainian and Russian ones.
    static let headers: [ConsentColumn: [String]] = [
        .emailStatus: ["consent email", "email consent", "email status", "email subscription", "згода email", "згода на email", "згода e-mail", "статус email", "согласие email", "согласие на email", "статус email подписки"],
        .smsStatus: ["consent sms", "sms consent", "sms status", "sms subscription", "згода sms", "згода на sms", "статус sms", "согласие sms", "согласие на sms"],
        .status: ["consent", "consent status", "subscription status", "згода", "статус згоди", "статус підписки", "согласие", "статус согласия", "статус подписки"],
        .optInTime: ["optin time", "opt-in time", "opt in time", "optin date", "opt-in date", "час підписки", "дата підписки", "время подписки", "дата подписки"],
        .optInIP: ["optin ip", "opt-in ip", "opt in ip", "ip підписки", "ip подписки"],
        .confirmTime: ["confirm time", "confirmation time", "confirmed at", "час підтвердження", "дата підтвердження", "время подтверждения", "дата подтверждения"],
        .confirmIP: ["confirm ip", "confirmation ip", "ip підтвердження", "ip подтверждения"],
        .unsubscribeTime: ["unsub time", "unsubscribe time", "unsubscribed at", "час відписки", "дата відписки", "время отписки", "дата отписки"],
        .unsubscribeReason: ["unsub reason", "unsubscribe reason", "причина відписки", "причина отписки"],
        .cleanTime: ["clean time", "cleaned at"],
        .lastChanged: ["last changed", "остання зміна", "последнее изменение"],
        .wording: ["consent text", "consent version", "consent wording", "wording version", "текст згоди", "версія згоди", "текст согласия", "версия согласия"],
    ]
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
        for header in ["email", "e-mail", "e mail", "email address", "e-mail address", "пошта", "почта", "електронна пошта", "электронная почта"] { table[header] = .email }
        for header in ["phone", "mobile", "phone number", "mobile phone", "телефон", "мобільний", "мобильный"] { table[header] = .phone }
        for header in ["first name", "firstname", "name", "given name", "ім'я", "имя"] { table[header] = .standard(.firstName) }
        for header in ["last name", "lastname", "surname", "family name", "прізвище", "фамилия"] { table[header] = .standard(.lastName) }
        for header in ["date of birth", "birthday", "birth date", "birthdate", "dob", "дата народження", "дата рождения"] { table[header] = .standard(.birthDate) }
        for header in ["external id", "externalid", "external_id"] { table[header] = .externalId }
        for header in ["language", "language code", "languagecode"] { table[header] = .standard(.languageCode) }
        for header in ["time zone", "timezone"] { table[header] = .standard(.timeZone) }
        for (column, headers) in ConsentColumn.headers {
            for header in headers { table[header] = .consent(column) }
        }
        return table
    }()

    /// Lowercased, trimmed, with apostrophe variants and runs of spaces or underscores folded.
    static func normalise(_ header: String) -> String {
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
        case let name:
            // A consent column by its `--map` name (`optin-time`) or a recognised header.
            if let column = ConsentColumn(rawValue: name.replacingOccurrences(of: " ", with: "-")) {
                .consent(column)
            } else if case .consent(let column)? = recognised[name] {
                .consent(column)
            } else {
                .custom(target)
            }
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
