/// A journaled ink passport: the fields of `StippleModel.Pigment` plus its row id.
public struct PigmentRecord: Sendable, Hashable {
    public var rowID: Int64
    public var brand: String
    public var name: String
    public var batch: String
    public var lot: String
    /// `YYYY-MM-DD`, the last day it may be used.
    public var expiry: String
    /// Parts of diluent per part of pigment.
    public var dilution: Double

    public init(rowID: Int64, brand: String, name: String, batch: String, lot: String, expiry: String, dilution: Double) {
        self.rowID = rowID
        self.brand = brand
        self.name = name
        self.batch = batch
        self.lot = lot
        self.expiry = expiry
        self.dilution = dilution
    }
}
