extension Delimiter {
    /// How many records of the sample are compared.
    static let detectionRecords = 20

    /// Picks the delimiter from the first records of decoded UTF-8 `sample`, ignoring anything
    /// inside quotes: the candidate that occurs in the header and the same number of times in the
    /// most following records wins; ties go to the higher count in the header, then to the order
    /// semicolon, tab, comma (commas also occur inside unquoted addresses and names).
    ///
    /// Returns nil when no candidate occurs in the header: a one-column file.
    static func detect(in sample: [UInt8], isWholeFile: Bool) -> Delimiter? {
        let records = counts(in: sample, isWholeFile: isWholeFile)
        guard let header = records.first else { return nil }
        var best: (delimiter: Delimiter, agreeing: Int, inHeader: Int)?
        for (index, candidate) in [Delimiter.semicolon, .tab, .comma].enumerated() {
            let inHeader = header[index]
            guard inHeader > 0 else { continue }
            let agreeing = records.dropFirst().filter { $0[index] == inHeader }.count
            if let current = best,
                (agreeing, inHeader) <= (current.agreeing, current.inHeader)
            {
                continue
            }
            best = (candidate, agreeing, inHeader)
        }
        return best?.delimiter
    }

    /// Per record, the counts of `;`, tab and `,` outside quotes. Blank lines are skipped; the last
    /// record is dropped when the sample was cut, because its counts are incomplete.
    private static func counts(in sample: [UInt8], isWholeFile: Bool) -> [[Int]] {
        var records: [[Int]] = []
        var current = [0, 0, 0]
        var inQuotes = false
        var recordHasBytes = false
        var previous: UInt8 = 0
        for byte in sample {
            defer { previous = byte }
            if byte == UInt8(ascii: "\"") {
                inQuotes.toggle()
                recordHasBytes = true
                continue
            }
            if inQuotes { continue }
            switch byte {
            case UInt8(ascii: "\n") where previous == UInt8(ascii: "\r"):
                continue
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                if recordHasBytes { records.append(current) }
                if records.count == detectionRecords { return records }
                current = [0, 0, 0]
                recordHasBytes = false
                continue
            case Delimiter.semicolon.rawValue: current[0] += 1
            case Delimiter.tab.rawValue: current[1] += 1
            case Delimiter.comma.rawValue: current[2] += 1
            default: break
            }
            recordHasBytes = true
        }
        if recordHasBytes && isWholeFile && !inQuotes { records.append(current) }
        return records
    }
}
