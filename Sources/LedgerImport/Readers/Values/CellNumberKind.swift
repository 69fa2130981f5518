/// How a spreadsheet displays a numeric cell: as a plain number, or as a date and/or time, which
/// .xlsx only says through the cell's number format.
enum CellNumberKind: Equatable, Sendable {
    case number, date, time, dateTime

    /// Built-in number formats (ECMA-376 Part 1, 18.8.30) that show dates or times.
    private static let builtIn: [Int: CellNumberKind] = [
        14: .date, 15: .date, 16: .date, 17: .date,
        18: .time, 19: .time, 20: .time, 21: .time,
        22: .dateTime,
        45: .time, 46: .time, 47: .time,
    ]

    /// The kind of format `formatID`, whose code is `formatCode` when the workbook defines it.
    init(formatID: Int, formatCode: String?) {
        if let formatCode {
            self = Self.classify(formatCode)
        } else {
            self = Self.builtIn[formatID] ?? .number
        }
    }

    /// Classifies a custom format code by its date and time tokens, ignoring quoted text
    /// (`"d."`), bracketed parts (`[Red]`, `[$-409]`, `[h]`), and characters that are escaped with
    /// `\` or follow `_` or `*` (spacing and fill). `m` alone means months; next to `h` or `s` it
    /// may be minutes, so it then adds nothing.
    static func classify(_ code: String) -> CellNumberKind {
        var letters = Set<Character>()
        var iterator = code.lowercased().makeIterator()
        while let character = iterator.next() {
            switch character {
            case "\"":
                while let next = iterator.next(), next != "\"" {}
            case "[":
                while let next = iterator.next(), next != "]" {}
            case "\\", "_", "*":
                _ = iterator.next()
            case "d", "m", "y", "h", "s":
                letters.insert(character)
            default:
                break
            }
        }
        let hasTime = letters.contains("h") || letters.contains("s")
        let hasDate = letters.contains("d") || letters.contains("y") || (letters.contains("m") && !hasTime)
        switch (hasDate, hasTime) {
        case (true, true): return .dateTime
        case (true, false): return .date
        case (false, true): return .time
        case (false, false): return .number
        }
    }
}
