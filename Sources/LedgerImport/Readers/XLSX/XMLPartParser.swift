import Foundation

#if canImport(FoundationXML)
import FoundationXML
#endif

/// Runs `XMLParser(stream:)` over one streamed .xlsx part and forwards its events to a handler.
///
/// The streaming initializer is used even for small parts: `XMLParser(data:)` needs the whole part
/// in memory and fails on large ones (about 10 MB and up), and one code path is simpler to trust.
final class XMLPartParser: NSObject, XMLParserDelegate {
    private let handler: any XMLPartHandler
    private let location: XLSXLocation
    private let part: XLSXPart
    private var failure: (any Error)?

    private init(handler: any XMLPartHandler, location: XLSXLocation, part: XLSXPart) {
        self.handler = handler
        self.location = location
        self.part = part
    }

    /// Parses `part` of the archive at `location` on the current thread, feeding `handler`. Throws
    /// the unzip producer's error (ZIP-bomb rules first), the handler's, or a `malformedXML` error.
    /// `counting`, when given, is kept up to date with the uncompressed bytes the parser has taken
    /// (on this thread), for progress reports.
    static func parse(_ part: XLSXPart, in location: XLSXLocation, into handler: any XMLPartHandler, counting: ByteCount? = nil) throws {
        let stream = PartInputStream(
            queue: XLSXPartStream.start(part, in: location), part: part, fileName: location.fileName, counting: counting)
        defer { stream.close() }
        let delegate = XMLPartParser(handler: handler, location: location, part: part)
        let parser = XMLParser(stream: stream)
        // The defaults, stated because they matter: with namespace processing on, XMLParser builds
        // a namespace URI and a qualified name String for every element, which the handlers never
        // read (they take local names). External entities are never loaded.
        parser.shouldProcessNamespaces = false
        parser.shouldReportNamespacePrefixes = false
        parser.shouldResolveExternalEntities = false
        parser.delegate = delegate
        let succeeded = parser.parse()
        if let failure = stream.failure { throw failure }
        if let failure = delegate.failure { throw failure }
        if !succeeded { throw delegate.malformed(parser, cause: parser.parserError) }
    }

    /// The error for a part that is not well-formed, where `parser` stopped.
    private func malformed(_ parser: XMLParser, cause: (any Error)?) -> ImportFileError {
        ImportFileError(
            .malformedXML, file: location.fileName, field: "archive entry \(part.path)",
            reason: "the part is not well-formed XML (line \(parser.lineNumber), column "
                + "\(parser.columnNumber)); the file is damaged — save it again from Excel",
            cause: cause)
    }

    /// libxml2's warnings (`XML_WAR_*` in xmlerror.h), which do not make a part malformed.
    private static let warningCodes: Set<Int> = [27, 93, 97, 98, 99, 100, 102, 106, 107]

    /// Stops at the first error. XMLParser runs libxml2 in recovery mode: past an error it goes
    /// on and may report element and attribute names made of the damaged bytes, which Foundation
    /// force-unwraps as UTF-8 (`UTF8STRING(localname)!`), killing the process. Found by the import
    /// fuzz suite; the part was going to be refused as malformed anyway.
    func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) {
        guard !Self.warningCodes.contains((parseError as NSError).code) else { return }
        stop(parser, malformed(parser, cause: parseError))
    }

    private func stop(_ parser: XMLParser, _ error: any Error) {
        guard failure == nil else { return }
        failure = error
        parser.abortParsing()
    }

    /// `name` without its namespace prefix; a byte scan, because this runs for every element.
    static func localName(_ name: String) -> String {
        let utf8 = name.utf8
        guard let colon = utf8.lastIndex(of: UInt8(ascii: ":")) else { return name }
        return String(name[utf8.index(after: colon)...])
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
        qualifiedName qName: String?, attributes attributeDict: [String: String]
    ) {
        guard failure == nil else { return }
        do { try handler.didStart(Self.localName(elementName), attributes: attributeDict) } catch { stop(parser, error) }
    }

    func parser(
        _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?
    ) {
        guard failure == nil else { return }
        do { try handler.didEnd(Self.localName(elementName)) } catch { stop(parser, error) }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        guard failure == nil else { return }
        handler.foundText(string)
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        guard failure == nil else { return }
        handler.foundText(String(decoding: CDATABlock, as: UTF8.self))
    }
}
