/// Whether an export names people (`--redact` off) or shows only pseudonymous ids.
///
/// Redaction replaces the client's name and date of birth with the client's pseudonymous id,
/// and the operator's name with the operator's id, in every format. Nothing else is personal in
/// a session record (zones, settings, lots and times are about the treatment, not the person).
public struct ExportRedaction: Sendable, Hashable {
    public var isOn: Bool

    public init(isOn: Bool) { self.isOn = isOn }

    public static let off = ExportRedaction(isOn: false)
    public static let pseudonymous = ExportRedaction(isOn: true)

    /// The columns redaction replaces, per journaled table, with the column whose value replaces them.
    public static let replacedColumns: [JournalTable: [String: String]] = [
        .clients: ["name": "client_ref", "date_of_birth": "client_ref"],
        .operators: ["name": "operator_ref"],
    ]

    /// What a report shows for the client: the name unless redacted or unknown, else the id.
    public func clientDisplayName(_ c: ClientRecord) -> String { isOn ? c.ref : (c.name ?? c.ref) }

    /// The client's name as an export may carry it (the pseudonymous id when redacted).
    public func clientName(_ c: ClientRecord) -> String? { isOn ? (c.name == nil ? nil : c.ref) : c.name }

    /// The date of birth as an export may carry it (the pseudonymous id when redacted).
    public func dateOfBirth(_ c: ClientRecord) -> String? { isOn ? (c.dateOfBirth == nil ? nil : c.ref) : c.dateOfBirth }

    /// What a report shows for the operator.
    public func operatorDisplayName(_ o: OperatorRecord) -> String {
        guard !isOn, let name = o.name else { return o.ref }
        return "\(name) (\(o.ref))"
    }

    public func operatorName(_ o: OperatorRecord) -> String? { isOn ? (o.name == nil ? nil : o.ref) : o.name }
}
