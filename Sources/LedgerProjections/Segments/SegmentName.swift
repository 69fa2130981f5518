import LedgerDomain

/// The rule for segment names, the same for static memberships (`segment.member-added`),
/// dynamic segments and rules that name a segment: one line of at most 200 characters.
public enum SegmentName {
    /// Why `name` is not a segment name; nil when it is one.
    public static func problem(_ name: String) -> String? {
        do {
            try ContactFieldRules().validate(.segmentMemberAdded(SegmentMembership(segment: name)))
            return nil
        } catch {
            return "not a segment name (\(error.code)): one line of 1 to \(ContactFieldRules.maxLabelLength) characters, without leading or trailing white space"
        }
    }
}
