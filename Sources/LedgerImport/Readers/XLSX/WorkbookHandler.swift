/// Reads `workbook.xml`: the sheets in tab order and the date system.
final class WorkbookHandler: XMLPartHandler {
    /// A sheet as listed in the workbook: its tab name and the relationship id of its part.
    struct Sheet: Equatable {
        let name: String
        let relationshipID: String
    }

    private(set) var sheets: [Sheet] = []
    /// True when dates count from 1904-01-01 (`<workbookPr date1904="1"/>`, old Mac workbooks).
    private(set) var uses1904Dates = false

    func didStart(_ name: String, attributes: [String: String]) throws {
        switch name {
        case "sheet":
            guard let id = attributes.xmlAttribute("id") else { return }
            sheets.append(Sheet(name: attributes.xmlAttribute("name") ?? "", relationshipID: id))
        case "workbookPr":
            let flag = attributes.xmlAttribute("date1904")?.lowercased()
            uses1904Dates = flag == "1" || flag == "true"
        default:
            break
        }
    }

    func didEnd(_ name: String) throws {}

    func foundText(_ text: String) {}
}
