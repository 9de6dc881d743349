/// A reference to a signed consent document (the document itself stays in the clinic's file).
public struct ConsentRecord: Sendable, Hashable {
    public var rowID: Int64
    public var clientRef: String
    public var documentRef: String
    public var signedAt: UTCTimestamp

    public init(rowID: Int64, clientRef: String, documentRef: String, signedAt: UTCTimestamp) {
        self.rowID = rowID
        self.clientRef = clientRef
        self.documentRef = documentRef
        self.signedAt = signedAt
    }
}
