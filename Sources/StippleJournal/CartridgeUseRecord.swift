/// A cartridge used on a client, in a session (nil when recorded outside a session).
public struct CartridgeUseRecord: Sendable, Hashable {
    public var cartridge: CartridgeIdentity
    public var clientRef: String
    public var sessionID: Int64?
    public var usedAt: UTCTimestamp

    public init(cartridge: CartridgeIdentity, clientRef: String, sessionID: Int64?, usedAt: UTCTimestamp) {
        self.cartridge = cartridge
        self.clientRef = clientRef
        self.sessionID = sessionID
        self.usedAt = usedAt
    }
}
