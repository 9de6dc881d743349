import GRDB
import StippleControl
import Synchronization

/// The single-use lockout backed by the journal: `cartridge_uses` rows, chained like the rest.
///
/// The control side asks it when arming (`previousClient`) and tells it when a pass starts
/// (`recordUse`); neither may throw through the protocol, so a journal that cannot answer
/// **refuses** the cartridge (fails closed, naming the journal as the "client") and a failed
/// write is kept in `lastError` for the caller to report.
public final class JournalCartridgeRegistry: CartridgeUseRegistry {
    let journal: Journal
    private let state = Mutex<(session: Int64?, lastError: JournalError?)>((nil, nil))

    /// - Parameter session: the session uses are recorded in (the writer keeps it current).
    public init(journal: Journal, session: Int64? = nil) {
        self.journal = journal
        state.withLock { $0.session = session }
    }

    /// The session new uses are recorded in.
    public var session: Int64? {
        get { state.withLock { $0.session } }
        set { state.withLock { $0.session = newValue } }
    }

    /// The last write that failed, if any.
    public var lastError: JournalError? { state.withLock { $0.lastError } }

    public func previousClient(ofCartridge id: UInt64, notBeing client: String) -> String? {
        do {
            return try journal.read("check cartridge") { db in
                try String.fetchOne(db, sql: """
                    SELECT c.client_ref FROM cartridge_uses u JOIN cartridges k ON k.id = u.cartridge_id
                    JOIN clients c ON c.id = u.client_id WHERE k.uid = ? AND c.client_ref != ? ORDER BY u.id LIMIT 1
                    """, arguments: [String(id), client])
            }
        } catch {
            state.withLock { $0.lastError = error }
            return "(journal unreadable: \(error))"
        }
    }

    public func recordUse(ofCartridge id: UInt64, client: String) {
        let session = self.session
        let at = journal.now()
        do {
            try journal.write("record cartridge use") { db in
                guard let clientID = try Journal.clientRowID(db, ref: client) else { return }
                let cartridge: Int64
                if let known = try Int64.fetchOne(db, sql: "SELECT id FROM cartridges WHERE uid = ?", arguments: [String(id)]) {
                    cartridge = known
                } else {
                    // Seen only through the lockout seam: record it as single-use so it stays locked.
                    cartridge = try Ledger.insert(db, .cartridges, ["uid": String(id), "type_name": "unregistered",
                                                                    "lot": "unregistered", "single_use": true,
                                                                    "created_utc": at.iso8601])
                }
                let exists = try Bool.fetchOne(db, sql: """
                    SELECT EXISTS(SELECT 1 FROM cartridge_uses WHERE cartridge_id = ? AND client_id = ? AND session_id IS ?)
                    """, arguments: [cartridge, clientID, session]) ?? false
                if !exists {
                    try Ledger.insert(db, .cartridgeUses, ["cartridge_id": cartridge, "client_id": clientID,
                                                           "session_id": session, "used_utc": at.iso8601])
                }
            }
        } catch {
            state.withLock { $0.lastError = error }
        }
    }
}
