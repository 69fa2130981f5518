import Foundation
import ZIPFoundation

/// Writes the contact base of the import suite as an .xlsx workbook laid out as Excel saves one:
/// every text cell in the shared-strings table, phones written without separators and the score
/// as numbers, the date of birth as a serial date with a date format.
///
/// Written here rather than by openpyxl: openpyxl's write-only mode managed ~20,000 rows/s on
/// this machine (100,000 rows in 5 s), so a 100 MB workbook took two minutes per bench run;
/// this writes the XML parts to scratch files in one pass and ZIPFoundation deflates them.
enum XLSXBase {
    static let header = ["Email", "Phone", "First name", "Last name", "Date of birth", "City", "Score"]

    /// Writes `rows` contacts to `path`; returns the file's size in bytes.
    static func write(_ path: String, rows: Int, scratch: String) throws -> Int64 {
        let parts = scratch + "/xlsx-parts"
        try? FileManager.default.removeItem(atPath: parts)
        try FileManager.default.createDirectory(atPath: parts + "/xl/worksheets", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: parts + "/xl/_rels", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: parts + "/_rels", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: parts) }

        let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
        let relationships = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
        let package = "http://schemas.openxmlformats.org/package/2006/relationships"
        let fixed: [(String, String)] = [
            ("[Content_Types].xml", """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
                <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
                <Default Extension="xml" ContentType="application/xml"/>\
                <Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
                <Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>\
                <Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>\
                <Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>\
                </Types>
                """),
            ("_rels/.rels", """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <Relationships xmlns="\(package)"><Relationship Id="rId1" Type="\(relationships)/officeDocument" Target="xl/workbook.xml"/></Relationships>
                """),
            ("xl/workbook.xml", """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <workbook xmlns="\(main)" xmlns:r="\(relationships)"><sheets><sheet name="Contacts" sheetId="1" r:id="rId1"/></sheets></workbook>
                """),
            ("xl/_rels/workbook.xml.rels", """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <Relationships xmlns="\(package)">\
                <Relationship Id="rId1" Type="\(relationships)/worksheet" Target="worksheets/sheet1.xml"/>\
                <Relationship Id="rId2" Type="\(relationships)/styles" Target="styles.xml"/>\
                <Relationship Id="rId3" Type="\(relationships)/sharedStrings" Target="sharedStrings.xml"/>\
                </Relationships>
                """),
            ("xl/styles.xml", """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <styleSheet xmlns="\(main)"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>\
                <fills count="1"><fill><patternFill patternType="none"/></fill></fills><borders count="1"><border/></borders>\
                <cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
                <cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
                <xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs></styleSheet>
                """),
        ]
        for (name, text) in fixed {
            try Data(text.utf8).write(to: URL(fileURLWithPath: parts + "/" + name))
        }

        // Shared strings: the header, the repeated names and cities, then each row's e-mail and
        // (when written with separators) phone, in row order, as Excel numbers them.
        let names = SyntheticBase.firstNames + SyntheticBase.lastNames + SyntheticBase.cities
        let strings = try PartWriter(parts + "/xl/sharedStrings.xml")
        let sheet = try PartWriter(parts + "/xl/worksheets/sheet1.xml")
        var unique = header.count + names.count
        strings.append("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<sst xmlns=\"\(main)\">")
        for text in header + names { strings.append("<si><t>\(text)</t></si>") }
        sheet.append("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<worksheet xmlns=\"\(main)\"><sheetData>")
        sheet.append("<row r=\"1\">")
        for (column, letter) in ["A", "B", "C", "D", "E", "F", "G"].enumerated() { sheet.append("<c r=\"\(letter)1\" t=\"s\"><v>\(column)</v></c>") }
        sheet.append("</row>")
        let firstNameBase = header.count
        let lastNameBase = firstNameBase + SyntheticBase.firstNames.count
        let cityBase = lastNameBase + SyntheticBase.lastNames.count
        for row in 0..<rows {
            let contact = SyntheticBase.contact(row)
            let line = row + 2
            strings.append("<si><t>\(contact.email)</t></si>")
            sheet.append("<row r=\"\(line)\"><c r=\"A\(line)\" t=\"s\"><v>\(unique)</v></c>")
            unique += 1
            if contact.phone.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
                sheet.append("<c r=\"B\(line)\"><v>\(contact.phone)</v></c>")
            } else {
                strings.append("<si><t>\(contact.phone)</t></si>")
                sheet.append("<c r=\"B\(line)\" t=\"s\"><v>\(unique)</v></c>")
                unique += 1
            }
            sheet.append("<c r=\"C\(line)\" t=\"s\"><v>\(firstNameBase + row % SyntheticBase.firstNames.count)</v></c>")
            sheet.append("<c r=\"D\(line)\" t=\"s\"><v>\(lastNameBase + row % SyntheticBase.lastNames.count)</v></c>")
            sheet.append("<c r=\"E\(line)\" s=\"1\"><v>\(contact.birthSerial)</v></c>")
            sheet.append("<c r=\"F\(line)\" t=\"s\"><v>\(cityBase + row % SyntheticBase.cities.count)</v></c>")
            sheet.append("<c r=\"G\(line)\"><v>\(row % 1000)</v></c></row>")
            try strings.flushIfFull()
            try sheet.flushIfFull()
        }
        strings.append("</sst>")
        sheet.append("</sheetData></worksheet>")
        try strings.close()
        try sheet.close()

        try? FileManager.default.removeItem(atPath: path)
        let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .create)
        for name in fixed.map(\.0) + ["xl/sharedStrings.xml", "xl/worksheets/sheet1.xml"] {
            try archive.addEntry(with: name, relativeTo: URL(fileURLWithPath: parts), compressionMethod: .deflate, bufferSize: 1 << 20)
        }
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.size] as? NSNumber)?.int64Value ?? 0
    }
}

/// A part being written: text gathered in memory and written out a megabyte at a time.
private final class PartWriter {
    private let handle: FileHandle
    private var buffer = ""

    init(_ path: String) throws {
        FileManager.default.createFile(atPath: path, contents: nil)
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        buffer.reserveCapacity(1 << 21)
    }

    func append(_ text: String) {
        buffer += text
    }

    func flushIfFull() throws {
        if buffer.utf8.count >= 1 << 20 { try flush() }
    }

    private func flush() throws {
        try handle.write(contentsOf: Data(buffer.utf8))
        buffer.removeAll(keepingCapacity: true)
    }

    func close() throws {
        try flush()
        try handle.close()
    }
}
