/// The rows of the import suite's contact base (as a CSV and as an .xlsx): row `n` (from 0) has
/// its own e-mail address and phone number, the phone in one of five forms (international with
/// spaces, national, the old `8 0xx` trunk form, digits with the calling code, national with
/// parentheses and dashes), names and a city from short lists, a date of birth and a score.
enum SyntheticBase {
    static let firstNames = ["Олена", "Іван", "Марія", "Андрій", "Софія", "Тарас", "Oksana", "Dmytro", "Kateryna", "Yurii"]
    static let lastNames = ["Коваленко", "Петренко", "Шевченко", "Бондар", "Мельник", "Kravets", "Lysenko", "Tkachenko"]
    static let cities = ["Київ", "Львів", "Одеса", "Харків", "Дніпро", "Vinnytsia", "Poltava"]
    static let operators = ["67", "50", "63", "93", "66", "97", "68", "73"]

    /// One row's values.
    struct Contact {
        let email: String
        let phone: String
        let day: Int
        let month: Int
        let year: Int

        /// The date of birth as `dd.mm.yyyy`.
        var birthText: String {
            "\(day < 10 ? "0" : "")\(day).\(month < 10 ? "0" : "")\(month).\(year)"
        }

        /// The date of birth as an Excel serial date (days since 1899-12-30; every date here is
        /// after 1900-02-28, where Excel's 1900 leap-year bug no longer matters).
        var birthSerial: Int {
            let shifted = month <= 2 ? year - 1 : year
            let era = shifted / 400
            let yearOfEra = shifted - era * 400
            let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
            let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
            let daysSince1970 = era * 146_097 + dayOfEra - 719_468
            return daysSince1970 + 25_569
        }
    }

    static func contact(_ row: Int) -> Contact {
        let op = operators[row % operators.count]
        let digits = String(1_000_000 + (row * 7_919) % 8_999_999)
        let phone: String
        switch row % 5 {
        case 0: phone = "+380 \(op) \(digits.prefix(3)) \(digits.dropFirst(3).prefix(2)) \(digits.suffix(2))"
        case 1: phone = "0\(op) \(digits.prefix(3)) \(digits.dropFirst(3).prefix(2)) \(digits.suffix(2))"
        case 2: phone = "80\(op)\(digits)"
        case 3: phone = "380\(op)\(digits)"
        default: phone = "(0\(op)) \(digits.prefix(3))-\(digits.dropFirst(3).prefix(2))-\(digits.suffix(2))"
        }
        return Contact(
            email: "user\(row).\(digits)@example\(row % 97).com", phone: phone,
            day: 1 + row % 28, month: 1 + row % 12, year: 1950 + row % 55)
    }
}
