import StippleControl

/// The single-use lockout as the control loop's thread asks it in a journaled run: cartridges the
/// journal already cleared for this client and session (`JournalWriter.checkSession`, under the
/// writer lock, so nothing can use them meanwhile) are answered from memory, so a scripted arm on
/// the real-time thread never reads SQLite; any other id goes to the journal's own registry.
final class ClearedCartridges: CartridgeUseRegistry {
    let cleared: Set<UInt64>
    let journal: CartridgeUseRegistry

    init(cleared: Set<UInt64>, journal: CartridgeUseRegistry) {
        self.cleared = cleared
        self.journal = journal
    }

    func previousClient(ofCartridge id: UInt64, notBeing client: String) -> String? {
        cleared.contains(id) ? nil : journal.previousClient(ofCartridge: id, notBeing: client)
    }

    func recordUse(ofCartridge id: UInt64, client: String) {
        journal.recordUse(ofCartridge: id, client: client)
    }
}
