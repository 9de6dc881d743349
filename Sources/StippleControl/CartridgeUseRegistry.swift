import Synchronization

/// The single-use lockout seam: whether a physical cartridge may be used for a client. The session
/// journal backs it in production; `InMemoryCartridgeRegistry` serves tests and `--sim` runs.
public protocol CartridgeUseRegistry: AnyObject, Sendable {
    /// nil if the cartridge may be used for `client`, otherwise the client it was used on.
    func previousClient(ofCartridge id: UInt64, notBeing client: String) -> String?
    /// Marks the cartridge as used for `client` (called when a pass starts with it).
    func recordUse(ofCartridge id: UInt64, client: String)
}

/// Remembers cartridge uses in memory for the life of the process.
public final class InMemoryCartridgeRegistry: CartridgeUseRegistry {
    private let uses = Mutex<[UInt64: String]>([:])

    public init() {}

    public func previousClient(ofCartridge id: UInt64, notBeing client: String) -> String? {
        uses.withLock { map in
            guard let other = map[id], other != client else { return nil }
            return other
        }
    }

    public func recordUse(ofCartridge id: UInt64, client: String) {
        uses.withLock { map in
            if map[id] == nil { map[id] = client }
        }
    }
}
