/// The progress mark of an import whose rows carry push tokens.
///
/// A batch's contacts are committed first (with the batch's progress mark), its tokens only
/// once the contacts' streams are known, in a transaction of their own. So a batch is done
/// only when both are, and the mark may not pass a batch whose tokens are not recorded yet: a
/// killed import then re-reads that batch (its contacts are unchanged, a re-run records
/// nothing twice) and records the tokens. One mark, the import's own, covers both; a file
/// without push tokens advances it exactly as before.
struct PushProgress {
    /// The data rows through which every batch is done, contacts and tokens.
    private(set) var doneThrough: UInt64
    /// The highest mark handed to a transaction.
    private(set) var marked: UInt64
    /// Batches pushed whose tokens are not recorded yet.
    private var pending = 0

    /// Starts from the rows an earlier run recorded.
    init(done: UInt64) {
        doneThrough = done
        marked = done
    }

    /// The mark the contact batch ending at `endRow` is committed with: its end when it and
    /// every batch before it is done once it commits, else the rows done so far.
    mutating func contactMark(endRow: UInt64, carriesTokens: Bool) -> UInt64 {
        let mark = carriesTokens || pending > 0 ? doneThrough : endRow
        if carriesTokens {
            pending += 1
        } else if pending == 0 {
            doneThrough = endRow
        }
        marked = max(marked, mark)
        return mark
    }

    /// Notes that the batch ending at `endRow` is committed, and its tokens recorded when it
    /// carried any; returns the mark its tokens' transaction records (nil: it has none).
    mutating func settled(endRow: UInt64, carriedTokens: Bool) -> UInt64? {
        guard carriedTokens else {
            if pending == 0 { doneThrough = max(doneThrough, endRow) }
            return nil
        }
        pending -= 1
        doneThrough = max(doneThrough, endRow)
        marked = max(marked, endRow)
        return endRow
    }

    /// The mark to record at the end when no transaction recorded `doneThrough` (a last batch
    /// without tokens after one with them); nil when none is needed.
    var closingMark: UInt64? {
        doneThrough > marked ? doneThrough : nil
    }
}
