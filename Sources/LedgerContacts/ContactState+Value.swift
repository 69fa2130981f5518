import LedgerDomain
import LedgerProjections

extension ContactState {
    /// The current value of a standard or custom field.
    func value(of field: ContactField) -> FieldValue? {
        switch field {
        case .standard(let standard): standardFields[standard]
        case .custom(let name): fields[name]
        }
    }
}
