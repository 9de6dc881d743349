/// One physical needle cartridge: its unique id (as `SessionSettings.cartridgeID`), its type
/// (`Cartridge.name`, such as `3RL-0.25`) and its lot.
public struct CartridgeIdentity: Sendable, Hashable {
    public var uid: UInt64
    public var typeName: String
    public var lot: String
    public var singleUse: Bool

    public init(uid: UInt64, typeName: String, lot: String, singleUse: Bool) {
        self.uid = uid
        self.typeName = typeName
        self.lot = lot
        self.singleUse = singleUse
    }
}
