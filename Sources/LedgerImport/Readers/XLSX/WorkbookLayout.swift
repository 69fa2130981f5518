/// Where the parts of an .xlsx are, found the way Office finds them: package relationships
/// (`_rels/.rels`) lead to the workbook, whose relationships lead to sheets, styles and shared
/// strings. File names like `sheet1.xml` are never guessed: sheet order lives in workbook.xml.
struct WorkbookLayout {
    /// The sheets in tab order, with the archive path of each.
    let sheets: [(name: String, path: String)]
    /// The styles part, if the workbook has one.
    let stylesPath: String?
    /// The shared-strings part, if the workbook has one.
    let sharedStringsPath: String?
    /// Whether dates count from 1904.
    let uses1904Dates: Bool

    /// Reads the package and workbook relationships and workbook.xml of `archive`.
    static func read(from archive: XLSXArchive) throws -> WorkbookLayout {
        let package = RelationshipsHandler()
        if let rels = try archive.part("_rels/.rels") {
            try XMLPartParser.parse(rels, in: archive.location, into: package)
        }
        let workbookPath = package.first(role: "officeDocument").map { resolve($0.target, from: "") }
            ?? "xl/workbook.xml"
        guard let workbookPart = try archive.part(workbookPath) else {
            throw ImportFileError(
                .invalidWorkbook, file: archive.fileName,
                reason: "the file is a ZIP archive but has no Excel workbook inside; save the data "
                    + "from Excel or LibreOffice as .xlsx (OpenDocument .ods is not supported)")
        }
        let workbook = WorkbookHandler()
        try XMLPartParser.parse(workbookPart, in: archive.location, into: workbook)

        let folder = directory(of: workbookPath)
        let relationships = RelationshipsHandler()
        if let rels = try archive.part(folder + "_rels/" + fileName(of: workbookPath) + ".rels") {
            try XMLPartParser.parse(rels, in: archive.location, into: relationships)
        }
        let sheets = try workbook.sheets.map { sheet in
            guard let relationship = relationships.relationship(id: sheet.relationshipID) else {
                throw ImportFileError(
                    .invalidWorkbook, file: archive.fileName,
                    reason: "a sheet listed in the workbook has no part; the file is damaged — save it again from Excel")
            }
            return (name: sheet.name, path: resolve(relationship.target, from: folder))
        }
        return WorkbookLayout(
            sheets: sheets,
            stylesPath: relationships.first(role: "styles").map { resolve($0.target, from: folder) },
            sharedStringsPath: relationships.first(role: "sharedStrings").map { resolve($0.target, from: folder) },
            uses1904Dates: workbook.uses1904Dates)
    }

    /// The archive path of relationship target `target` written in a part in `folder` (with a
    /// trailing slash, or empty for the root): absolute targets start at the root, `..` climbs.
    static func resolve(_ target: String, from folder: String) -> String {
        let joined = target.hasPrefix("/") ? String(target.dropFirst()) : folder + target
        var segments: [Substring] = []
        for segment in joined.split(separator: "/") {
            switch segment {
            case ".": continue
            case "..": _ = segments.popLast()
            default: segments.append(segment)
            }
        }
        return segments.joined(separator: "/")
    }

    private static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return String(path[...slash])
    }

    private static func fileName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }
}
