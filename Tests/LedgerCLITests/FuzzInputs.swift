import Foundation
import LedgerDomain

/// One file the import fuzz suite feeds `ledger import`.
struct FuzzInput {
    /// The file's name, whose extension the importer ignores (it reads the content).
    let name: String
    let bytes: Data
    /// The data rows of a file that is well-formed whatever its cells hold: each must come out
    /// imported or rejected. Nil for a damaged file, which may also be refused whole.
    let dataRows: Int?
    /// Options for `ledger import` beyond the file, store and `--dry-run --json`.
    var arguments: [String] = []
}

/// Makes the fuzz suite's inputs from a seeded generator, in the spirit of issue 15's findings:
/// odd and huge cells, bad row numbers, many columns, odd encodings, random bytes, truncations
/// and byte flips of valid files, deep XML and ZIP entries whose sizes lie.
enum FuzzInputs {
    /// The kinds of input, each made by its own function below.
    enum Kind: String, CaseIterable {
        case csv, txt, csvEncoded, xlsx, xlsxShared, xlsxHugeCells, xlsxRowNumbers
        case csvDamaged, xlsxDamaged, xlsxWrongSizes, xlsxDeep, xls, randomBytes
    }

    /// The input of `kind` made from `random`.
    static func make(_ kind: Kind, random: inout SeededGenerator) throws -> FuzzInput {
        switch kind {
        case .csv: return delimited(random: &random, tab: false)
        case .txt: return delimited(random: &random, tab: true)
        case .csvEncoded: return encoded(random: &random)
        case .xlsx: return try workbook(random: &random, shared: false, huge: false)
        case .xlsxShared: return try workbook(random: &random, shared: true, huge: false)
        case .xlsxHugeCells: return try workbook(random: &random, shared: Bool.random(using: &random), huge: true)
        case .xlsxRowNumbers: return try rowNumbers(random: &random)
        case .csvDamaged:
            let valid = delimited(random: &random, tab: false)
            return FuzzInput(name: "damaged.csv", bytes: damaged(valid.bytes, random: &random), dataRows: nil)
        case .xlsxDamaged:
            let valid = try workbook(random: &random, shared: Bool.random(using: &random), huge: false)
            return FuzzInput(name: "damaged.xlsx", bytes: damaged(valid.bytes, random: &random), dataRows: nil)
        case .xlsxWrongSizes: return try wrongSizes(random: &random)
        case .xlsxDeep: return try deep(random: &random)
        case .xls: return try xls(random: &random)
        case .randomBytes: return randomBytes(random: &random)
        }
    }

    // MARK: Values

    /// Letters for long values: few, so that runs compress as real text does not, and ASCII,
    /// so that byte counts are character counts.
    static func letters(_ count: Int, random: inout SeededGenerator) -> String {
        let alphabet = Array("abcdefghij".utf8)
        var bytes = [UInt8](repeating: 0, count: count)
        for index in bytes.indices { bytes[index] = alphabet[Int(random.next() % 10)] }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A cell value of some odd kind; `long` allows values up to `long` characters.
    static func oddValue(random: inout SeededGenerator, long: Int) -> String {
        switch random.next() % 16 {
        case 0: return ""
        case 1: return "Олена Коваленко"
        case 2: return "👩‍💻🏳️‍🌈 family 👨‍👩‍👧‍👦"
        case 3: return "e" + String(repeating: "\u{301}", count: Int(random.next() % 300))
        case 4: return "مرحبا \u{202E}reversed\u{202C}"
        case 5: return ["12345.678", "1e308", "-0", "NaN", "0x1F", "٣٤٥", "1,5", "99999999999999999999999"][Int(random.next() % 8)]
        case 6: return ["2024-02-29", "31.12.1999", "1900-02-29", "0000-00-00", "13/13/2013", "45000"][Int(random.next() % 6)]
        case 7: return "He said \"hi\", then; left\ttabbed"
        case 8: return "two\nlines\r\nand a CR\r"
        case 9: return "\u{7}bell \u{1B}[31mred\u{1B}[0m"
        case 10: return "   "
        case 11: return ["TRUE", "false", "так", "ні", "yes", "maybe"][Int(random.next() % 6)]
        case 12: return "+380 67 \(100 + random.next() % 900) \(10 + random.next() % 90) \(10 + random.next() % 90)"
        case 13: return "_x0041__x005F_x_x00"
        case 14 where long > 0: return letters(Int(random.next() % UInt64(long)) + 1, random: &random)
        default: return "Плюс & <tag> ≠ ∑"
        }
    }

    /// A header of `Email`, a few standard columns and `extra` custom columns.
    static func header(extra: Int) -> [String] {
        ["Email", "First name", "Phone", "Date of birth", "Note"] + (0..<extra).map { "c\($0)" }
    }

    /// How many custom columns a file gets: usually a few, sometimes hundreds.
    static func extraColumns(random: inout SeededGenerator) -> Int {
        random.next() % 8 == 0 ? Int(random.next() % 400) : Int(random.next() % 4)
    }

    /// The values of data row `index` for `header`: an e-mail first (a value, so the row is never
    /// blank), odd values after it.
    static func values(row index: Int, columns: Int, long: Int, random: inout SeededGenerator) -> [String] {
        let email = random.next() % 10 == 0 ? oddValue(random: &random, long: 0) + "x" : "row\(index)@example.com"
        return [email] + (1..<columns).map { _ in oddValue(random: &random, long: long) }
    }

    // MARK: Delimited text

    /// `fields` as one CSV record, every field quoted (RFC 4180), so that any value is safe.
    static func record(_ fields: [String], delimiter: String) -> String {
        fields.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: delimiter)
    }

    /// The text of a well-formed CSV (or tab-separated .txt) and its data-row count.
    static func delimitedText(random: inout SeededGenerator, tab: Bool) -> (text: String, rows: Int, delimiter: String) {
        let delimiter = tab ? "\t" : [",", ";"][Int(random.next() % 2)]
        let names = header(extra: extraColumns(random: &random))
        let rows = Int(random.next() % 60) + 1
        // Records stay far below the 1 MiB record limit: one long value per row at most.
        let long = random.next() % 4 == 0 ? 200_000 / names.count : 0
        let ending = random.next() % 2 == 0 ? "\r\n" : "\n"
        var text = record(names, delimiter: delimiter) + ending
        for index in 0..<rows {
            text += record(values(row: index, columns: names.count, long: long, random: &random), delimiter: delimiter) + ending
        }
        return (text, rows, delimiter == "\t" ? "tab" : delimiter)
    }

    static func delimited(random: inout SeededGenerator, tab: Bool) -> FuzzInput {
        let (text, rows, delimiter) = delimitedText(random: &random, tab: tab)
        return FuzzInput(
            name: tab ? "contacts.txt" : "contacts.csv", bytes: Data(text.utf8), dataRows: rows,
            arguments: ["--delimiter", delimiter])
    }

    /// A well-formed CSV in another encoding: UTF-8 with a BOM, UTF-16 with a BOM, windows-1251,
    /// or UTF-8 with some rows in windows-1251 (rejected, not lost).
    static func encoded(random: inout SeededGenerator) -> FuzzInput {
        let (text, rows, delimiter) = delimitedText(random: &random, tab: false)
        let bytes: Data
        switch random.next() % 5 {
        case 0: bytes = Data([0xEF, 0xBB, 0xBF]) + Data(text.utf8)
        case 1: bytes = Data([0xFF, 0xFE]) + (text.data(using: .utf16LittleEndian) ?? Data())
        case 2: bytes = Data([0xFE, 0xFF]) + (text.data(using: .utf16BigEndian) ?? Data())
        case 3: bytes = text.data(using: .windowsCP1251, allowLossyConversion: true) ?? Data()
        default:
            var mixed = Data()
            for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
                let encoded = random.next() % 8 == 0
                    ? line.data(using: .windowsCP1251, allowLossyConversion: true) ?? Data() : Data(line.utf8)
                mixed += encoded + Data("\n".utf8)
            }
            bytes = mixed.dropLast()
        }
        return FuzzInput(name: "encoded.csv", bytes: bytes, dataRows: rows, arguments: ["--delimiter", delimiter])
    }

    // MARK: Workbooks

    /// A well-formed .xlsx of odd values; with `huge`, some cells are over the cell limit and
    /// some rows over the row limit (those rows are rejected, the rest read).
    static func workbook(random: inout SeededGenerator, shared: Bool, huge: Bool) throws -> FuzzInput {
        let names = header(extra: huge ? Int(random.next() % 40) : extraColumns(random: &random))
        var book = FuzzWorkbook()
        var strings: [String] = []
        func cell(_ column: Int, _ row: Int, _ text: String) -> String {
            let reference = columnLetters(column) + "\(row)"
            guard shared else { return FuzzWorkbook.inlineCell(reference, text) }
            strings.append(text)
            return "<c r=\"\(reference)\" t=\"s\"><v>\(strings.count - 1)</v></c>"
        }
        book.rows.append(FuzzWorkbook.row("1", names.enumerated().map { cell($0.offset, 1, $0.element) }))
        let rows = Int(random.next() % 40) + 1
        for index in 0..<rows {
            let number = index + 2
            var values = values(row: index, columns: names.count, long: huge ? 0 : 3_000, random: &random)
            if huge {
                switch random.next() % 4 {
                case 0:  // One cell over the limit (32,767), up to twice it.
                    let column = Int(random.next() % UInt64(values.count - 1)) + 1
                    values[column] = letters(32_768 + Int(random.next() % 32_768), random: &random)
                case 1:  // A row over 1 MiB in cells each within the limit.
                    values += (0..<40).map { _ in letters(30_000, random: &random) }
                case 2:  // A cell exactly at the limit: read, whatever else rejects the row.
                    values[values.count - 1] = letters(32_767, random: &random)
                default: break
                }
            }
            // Empty cells are left out, as Excel does; column A is never empty.
            let cells = values.enumerated().filter { !$0.element.isEmpty }.map { cell($0.offset, number, $0.element) }
            book.rows.append(FuzzWorkbook.row(random.next() % 5 == 0 ? nil : "\(number)", cells))
        }
        if shared {
            // Unused entries too, some long: a table holds more than the cells use.
            strings.append(letters(40_000, random: &random))
            book.sharedStrings = strings
        }
        return FuzzInput(name: shared ? "shared.xlsx" : "inline.xlsx", bytes: try book.archive(), dataRows: rows)
    }

    /// An .xlsx whose rows have numbers that repeat, go back, are negative, wrap, are not numbers
    /// or are over the sheet's last row: every row still comes out, rejected with a reason.
    static func rowNumbers(random: inout SeededGenerator) throws -> FuzzInput {
        var book = FuzzWorkbook()
        book.rows.append(FuzzWorkbook.row("1", [FuzzWorkbook.inlineCell("A1", "Email"), FuzzWorkbook.inlineCell("B1", "Note")]))
        let odd = ["2", "-5", "0", "72057594037927938", "1048577", "x", "", "3.0", " 4", "99999999999999999999", "1048576"]
        let rows = Int(random.next() % 30) + 1
        var last = 1
        for index in 0..<rows {
            let number: String
            switch random.next() % 3 {
            case 0: number = odd[Int(random.next() % UInt64(odd.count))]
            case 1: number = "\(last)"
            default:
                last += Int(random.next() % 3) + 1
                number = "\(last)"
            }
            let cells = [FuzzWorkbook.inlineCell(nil, "row\(index)@example.com"), FuzzWorkbook.inlineCell(nil, oddValue(random: &random, long: 100) + "!")]
            book.rows.append(FuzzWorkbook.row(number, cells))
        }
        return FuzzInput(name: "row-numbers.xlsx", bytes: try book.archive(), dataRows: rows)
    }

    /// A valid workbook whose ZIP headers (local, central or both) lie about a part's sizes or CRC.
    static func wrongSizes(random: inout SeededGenerator) throws -> FuzzInput {
        let valid = try workbook(random: &random, shared: true, huge: false)
        var bytes = [UInt8](valid.bytes)
        // Local file header: signature PK\3\4, CRC at 14, compressed size at 18, uncompressed at 22.
        // Central directory header: PK\1\2, CRC at 16, compressed at 20, uncompressed at 24.
        let headers: [(signature: [UInt8], crc: Int)] = [([0x50, 0x4B, 0x03, 0x04], 14), ([0x50, 0x4B, 0x01, 0x02], 16)]
        let which = random.next() % 3
        for (position, header) in headers.enumerated() where which == 2 || which == UInt64(position) {
            var offsets: [Int] = []
            var index = 0
            while index + 4 <= bytes.count {
                if Array(bytes[index..<index + 4]) == header.signature { offsets.append(index) }
                index += 1
            }
            guard !offsets.isEmpty else { continue }
            let start = offsets[Int(random.next() % UInt64(offsets.count))]
            let field = header.crc + 4 * Int(random.next() % 3)
            guard start + field + 4 <= bytes.count else { continue }
            let value: UInt32
            switch random.next() % 4 {
            case 0: value = 0
            case 1: value = UInt32.max
            case 2: value = UInt32(truncatingIfNeeded: random.next() % 100_000)
            default: value = UInt32(truncatingIfNeeded: random.next())
            }
            withUnsafeBytes(of: value.littleEndian) { bytes.replaceSubrange(start + field..<start + field + 4, with: $0) }
        }
        return FuzzInput(name: "wrong-sizes.xlsx", bytes: Data(bytes), dataRows: nil)
    }

    /// An .xlsx with deeply nested XML in a cell, or a DOCTYPE with entities, in its sheet.
    static func deep(random: inout SeededGenerator) throws -> FuzzInput {
        var book = FuzzWorkbook()
        book.rows.append(FuzzWorkbook.row("1", [FuzzWorkbook.inlineCell("A1", "Email")]))
        let depth = Int(random.next() % 100_000) + 100
        if random.next() % 4 == 0 {
            book.sheetProlog = "<!DOCTYPE worksheet [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]>"
            book.rows.append(FuzzWorkbook.row("2", ["<c r=\"A2\" t=\"inlineStr\"><is><t>&b;&b;&b;</t></is></c>"]))
        } else {
            let open = String(repeating: "<x>", count: depth)
            let close = String(repeating: "</x>", count: depth)
            book.rows.append(FuzzWorkbook.row("2", ["<c r=\"A2\" t=\"inlineStr\"><is><t>a</t>\(open)deep\(close)</is></c>"]))
        }
        return FuzzInput(name: "deep.xlsx", bytes: try book.archive(), dataRows: nil)
    }

    // MARK: Damage

    /// `bytes` damaged: cut short, some bytes flipped, a block overwritten or a block repeated.
    static func damaged(_ bytes: Data, random: inout SeededGenerator) -> Data {
        var bytes = [UInt8](bytes)
        guard !bytes.isEmpty else { return Data() }
        switch random.next() % 4 {
        case 0:
            bytes.removeLast(Int(random.next() % UInt64(bytes.count)))
        case 1:
            for _ in 0..<Int(random.next() % 20) + 1 {
                let index = Int(random.next() % UInt64(bytes.count))
                bytes[index] ^= UInt8(truncatingIfNeeded: random.next() | 1)
            }
        case 2:
            let start = Int(random.next() % UInt64(bytes.count))
            let end = min(bytes.count, start + Int(random.next() % 256) + 1)
            for index in start..<end { bytes[index] = UInt8(truncatingIfNeeded: random.next()) }
        default:
            let start = Int(random.next() % UInt64(bytes.count))
            let end = min(bytes.count, start + Int(random.next() % 4096) + 1)
            bytes.insert(contentsOf: bytes[start..<end], at: start)
        }
        return Data(bytes)
    }

    /// The .xls fixtures of the reader tests, damaged.
    static func xls(random: inout SeededGenerator) throws -> FuzzInput {
        let name = ["contacts.xls", "damaged.xls"][Int(random.next() % 2)]
        let original = try Data(contentsOf: URL(fileURLWithPath: ImportWorkbookTests.fixture(name)))
        var bytes = damaged(original, random: &random)
        if random.next() % 2 == 0 { bytes = damaged(bytes, random: &random) }
        return FuzzInput(name: "damaged-" + name, bytes: bytes, dataRows: nil)
    }

    /// Random bytes, sometimes behind the magic of a ZIP or OLE2 file so that the workbook
    /// readers get them.
    static func randomBytes(random: inout SeededGenerator) -> FuzzInput {
        let count = Int(random.next() % (random.next() % 4 == 0 ? 262_144 : 65_536)) + 1
        var bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        switch random.next() % 3 {
        case 0: bytes.replaceSubrange(0..<min(4, bytes.count), with: [0x50, 0x4B, 0x03, 0x04])
        case 1: bytes.replaceSubrange(0..<min(8, bytes.count), with: [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1])
        default: break
        }
        return FuzzInput(name: "random.bin", bytes: Data(bytes), dataRows: nil)
    }

    /// The letters of zero-based `column` (0: A, 26: AA).
    static func columnLetters(_ column: Int) -> String {
        var value = column + 1
        var letters = ""
        while value > 0 {
            letters.insert(Character(Unicode.Scalar(UInt8(65 + (value - 1) % 26))), at: letters.startIndex)
            value = (value - 1) / 26
        }
        return letters
    }
}
