import Foundation
import ZIPFoundation

/// A minimal .xlsx written in code for the import fuzz suite: one sheet, its rows as XML text
/// (so a test can write any row number, cell reference or nesting it likes), inline or shared
/// strings, and the package parts Excel needs to find the sheet.
struct FuzzWorkbook {
    /// The sheet's `<row>` elements, written as given.
    var rows: [String] = []
    /// The shared-strings table, when cells refer to one (`t="s"`).
    var sharedStrings: [String]?
    /// Text put before `<worksheet>` in the sheet part (a DOCTYPE, for instance).
    var sheetProlog = ""

    /// Escapes `text` for XML element content; characters XML cannot carry become Excel's
    /// `_xHHHH_` escapes, as Excel writes them.
    static func escaped(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\t", "\n": result.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF:
                result += "_x" + String(format: "%04X", scalar.value) + "_"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// An inline-string cell at `reference` (`A2`), or one without a reference when nil.
    static func inlineCell(_ reference: String?, _ text: String) -> String {
        "<c\(reference.map { " r=\"\($0)\"" } ?? "") t=\"inlineStr\"><is><t xml:space=\"preserve\">\(escaped(text))</t></is></c>"
    }

    /// A `<row>` with `r` set to `number` (omitted when nil) around `cells`.
    static func row(_ number: String?, _ cells: [String]) -> String {
        "<row\(number.map { " r=\"\(escaped($0))\"" } ?? "")>" + cells.joined() + "</row>"
    }

    /// The sheet part's XML.
    var sheetXML: String {
        sheetProlog + "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
            + "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>"
            + rows.joined() + "</sheetData></worksheet>"
    }

    /// The parts of the package, by path.
    var parts: [(path: String, text: String)] {
        let relationshipNS = "http://schemas.openxmlformats.org/package/2006/relationships"
        let officeNS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
        var parts: [(String, String)] = [
            ("[Content_Types].xml",
             "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
                + "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
                + "<Default Extension=\"xml\" ContentType=\"application/xml\"/></Types>"),
            ("_rels/.rels",
             "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"\(relationshipNS)\">"
                + "<Relationship Id=\"rId1\" Type=\"\(officeNS)/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"),
            ("xl/workbook.xml",
             "<?xml version=\"1.0\" encoding=\"UTF-8\"?><workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
                + "xmlns:r=\"\(officeNS)\"><sheets><sheet name=\"Contacts\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"),
            ("xl/_rels/workbook.xml.rels",
             "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"\(relationshipNS)\">"
                + "<Relationship Id=\"rId1\" Type=\"\(officeNS)/worksheet\" Target=\"worksheets/sheet1.xml\"/>"
                + (sharedStrings == nil ? "" : "<Relationship Id=\"rId2\" Type=\"\(officeNS)/sharedStrings\" Target=\"sharedStrings.xml\"/>")
                + "</Relationships>"),
            ("xl/worksheets/sheet1.xml", sheetXML),
        ]
        if let sharedStrings {
            parts.append(
                ("xl/sharedStrings.xml",
                 "<?xml version=\"1.0\" encoding=\"UTF-8\"?><sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"\(sharedStrings.count)\">"
                    + sharedStrings.map { "<si><t xml:space=\"preserve\">\(Self.escaped($0))</t></si>" }.joined() + "</sst>"))
        }
        return parts
    }

    /// The workbook as the bytes of a ZIP archive, its parts deflated (or stored when `stored`).
    func archive(stored: Bool = false) throws -> Data {
        let archive = try Archive(data: Data(), accessMode: .create)
        for (path, text) in parts {
            let bytes = Data(text.utf8)
            try archive.addEntry(
                with: path, type: .file, uncompressedSize: Int64(bytes.count),
                modificationDate: Date(timeIntervalSince1970: 1_704_067_200),
                compressionMethod: stored ? .none : .deflate
            ) { position, size in
                bytes.subdata(in: Int(position)..<min(Int(position) + size, bytes.count))
            }
        }
        guard let data = archive.data else { throw CocoaError(.fileWriteUnknown) }
        return data
    }
}
