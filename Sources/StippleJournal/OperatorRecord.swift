/// A practitioner or technician, by id; the name is optional.
public struct OperatorRecord: Sendable, Hashable {
    public var rowID: Int64
    public var ref: String
    public var name: String?

    public init(rowID: Int64, ref: String, name: String?) {
        self.rowID = rowID
        self.ref = ref
        self.name = name
    }
}
