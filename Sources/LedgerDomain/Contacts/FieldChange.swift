/// One field's change within `contact.fields-changed`: the value before and after.
///
/// A nil value means the field was (or becomes) unset. The field's name is not personal;
/// both values are.
public struct FieldChange: Hashable, Sendable {
    /// The field that changed.
    public var field: ContactField
    /// The value before the change; nil when the field was unset.
    public var old: Personal<FieldValue?>
    /// The value after the change; nil when the field is now unset.
    public var new: Personal<FieldValue?>

    /// A change as read back, whose values may be erased.
    public init(field: ContactField, old: Personal<FieldValue?>, new: Personal<FieldValue?>) {
        self.field = field
        self.old = old
        self.new = new
    }

    /// A change being recorded, with both values known.
    public init(field: ContactField, from old: FieldValue?, to new: FieldValue?) {
        self.init(field: field, old: .known(old), new: .known(new))
    }
}
