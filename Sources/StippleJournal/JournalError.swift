/// Everything the journal refuses or fails at. Each case renders as
/// `error: <what> (<where>): <why>. <what to do>` so the CLI can print it as is.
///
/// Validation errors (`unknownClient`, `missingConsent`, `pigmentExpired`, `cartridgeReused`, ...)
/// are thrown before the transaction they belong to commits: when one is thrown, nothing of that
/// operation is in the journal.
public enum JournalError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A client id the journal does not know.
    case unknownClient(String)
    /// The client exists but has no consent reference on file.
    case missingConsent(client: String)
    /// A client id that is already registered.
    case duplicateClient(String)
    /// A pigment lot past its expiry on the session's day.
    case pigmentExpired(lot: String, expiry: String, sessionDay: String)
    /// A single-use cartridge already used on another client or in another session.
    case cartridgeReused(uid: String, previousClient: String, previousSession: Int64?)
    /// A cartridge uid already registered with another type or lot.
    case cartridgeConflict(uid: String, registered: String, given: String)
    /// The calibration a session names is unknown.
    case unknownCalibration(String)
    /// The calibration a session names has expired: a stale calibration blocks treatment.
    case calibrationExpired(id: String, expired: String)
    /// A treatment plan id that is unknown or belongs to another client.
    case unknownPlan(Int64, client: String)
    /// A session id the journal does not know.
    case unknownSession(Int64)
    /// A value outside what the journal accepts (field, value, why).
    case invalidField(field: String, value: String, reason: String)
    /// The writer already has an open session.
    case sessionAlreadyOpen(Int64)
    /// The writer has no open session for a record that needs one.
    case noOpenSession
    /// A pass started before any pass settings were registered with the writer.
    case noPassSettings(generation: UInt16)
    /// Another process (or another writer in this one) holds the journal's writer lock.
    case writerActive(path: String, holder: String)
    /// A file or folder could not be created, opened, locked or read.
    case file(path: String, operation: String, reason: String)
    /// The machine's signing key file exists but cannot be used.
    case badSigningKey(path: String, reason: String)
    /// SQLite said no.
    case database(path: String, operation: String, message: String)
    /// The writer was closed.
    case writerClosed(path: String)
    /// A stored value has a type the journal never writes there (the file was edited or damaged).
    case unreadableRecord(table: String, rowID: Int64?, column: String, found: String)
    /// A session export file that is not one `stipple session export --format json` writes.
    case invalidExport(source: String, reason: String)

    public var description: String {
        switch self {
        case .unknownClient(let id):
            "error: unknown client (\(id)): no client with this id is in the journal. Add it with `stipple client add \(id)` or check the id with `stipple client list`"
        case .missingConsent(let id):
            "error: missing consent (client \(id)): no signed consent document is on file for this client. Record the consent (document id and signing date) before the session"
        case .duplicateClient(let id):
            "error: duplicate client (\(id)): a client with this id is already in the journal. Pick another pseudonymous id or use the existing client"
        case .pigmentExpired(let lot, let expiry, let day):
            "error: pigment lot expired (lot \(lot)): it expired on \(expiry), the session is on \(day). Use an unexpired lot"
        case .cartridgeReused(let uid, let client, let session):
            "error: cartridge reused (cartridge \(uid)): this single-use cartridge was already used on client \(client)"
                + (session.map { " in session \($0)" } ?? "") + ". Fit a new sterile cartridge"
        case .cartridgeConflict(let uid, let registered, let given):
            "error: cartridge conflict (cartridge \(uid)): it is registered as \(registered), not \(given). Check the uid printed on the cartridge"
        case .unknownCalibration(let id):
            "error: unknown calibration (\(id)): no calibration with this id is in the journal. Calibrate the machine (`stipple machine calibrate`) or check the id"
        case .calibrationExpired(let id, let expired):
            "error: calibration expired (\(id)): it expired at \(expired). Recalibrate the machine before treating"
        case .unknownPlan(let id, let client):
            "error: unknown treatment plan (plan \(id)): no such plan for client \(client). Create a plan for this client or leave the plan out"
        case .unknownSession(let id):
            "error: unknown session (\(id)): no session with this id is in the journal. List sessions with `stipple session list`"
        case .invalidField(let field, let value, let reason):
            "error: invalid \(field) (\(value)): \(reason). Correct the value"
        case .sessionAlreadyOpen(let id):
            "error: session already open (session \(id)): a writer keeps one session at a time. End session \(id) first"
        case .noOpenSession:
            "error: no open session (journal writer): records need an open session. Begin a session first"
        case .noPassSettings(let g):
            "error: no pass settings (settings generation \(g)): a pass started before its zone, profile and cartridge were registered with the writer. Register the settings before arming"
        case .writerActive(let path, let holder):
            "error: journal in use (\(path)): another writer holds it (\(holder)). Stop the other `stipple run` first, or use another --journal"
        case .file(let path, let operation, let reason):
            "error: cannot \(operation) (\(path)): \(reason). Check the path, its permissions and free space"
        case .badSigningKey(let path, let reason):
            "error: unusable signing key (\(path)): \(reason). Restore the key from backup; only if it is lost for good, move the file away so a new key is made (seals made with the old key then need its exported public key to verify)"
        case .database(let path, let operation, let message):
            "error: journal database failed to \(operation) (\(path)): \(message). Check the disk, then run `stipple journal verify`"
        case .writerClosed(let path):
            "error: journal writer closed (\(path)): it was closed or failed earlier. Open a new writer"
        case .unreadableRecord(let table, let rowID, let column, let found):
            "error: unreadable journal record (\(table)" + (rowID.map { " row \($0)" } ?? "") + ", column \(column)): it holds \(found), "
                + "which the journal never writes there, so the file was altered or damaged. Run `stipple journal verify` to name the first altered record and restore the journal from a backup"
        case .invalidExport(let source, let reason):
            "error: not a verifiable session export (\(source)): \(reason). Pass a file written by `stipple session export ID --format json`"
        }
    }
}
