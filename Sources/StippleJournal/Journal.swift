import Foundation
import GRDB

/// The session journal: one SQLite file (WAL) holding clients, consents, machines, cartridges,
/// pigments, plans, sessions, zone passes and events, every row chained in the `ledger` and
/// every finished session sealed.
///
/// A `Journal` is the read-and-register handle: any number may be open, in any process, next to
/// one `JournalWriter` (which owns a live session and holds the writer lock). Everything it
/// writes goes through one immediate transaction per call, chained, so it is safe alongside a
/// writer in another process.
///
/// Main entry points (see the extensions): `open(at:)`; registration (`addClient`, `addConsent`,
/// `addOperator`, `addMachine`, `addCalibration`, `addCartridge`, `addPigment`, `addPlan`);
/// queries (`clients`, `client(ref:)`, `sessions(clientRef:)`, `session(id:)`,
/// `telemetry(passRowID:)`, `cartridgeUses(uid:)`); checks (`verify`, `integrityCheck`,
/// `backup(to:)`, `hasLiveWriter`).
public final class Journal: Sendable {
    /// The SQLite file.
    public let path: String
    let pool: DatabasePool
    /// The wall clock for `created_utc` and the like; tests pass a fixed one.
    let now: @Sendable () -> UTCTimestamp

    /// Opens (creating if needed) the journal at `path`: its folder is created 0700 if missing,
    /// the file 0600, WAL mode, `synchronous=FULL`, and migrations applied.
    public static func open(at path: String, now: @escaping @Sendable () -> UTCTimestamp = { .now() }) throws(JournalError) -> Journal {
        try PrivateFiles.ensureFolder(PrivateFiles.folder(of: path))
        // Made 0600 before SQLite sees it: SQLite gives its -wal and -shm files the database
        // file's mode, so they are private too.
        try PrivateFiles.ensureFile(path)
        var config = Configuration()
        // Several processes may share the journal (a writer, the CLI reading or registering):
        // wait for a lock rather than fail.
        config.busyMode = .timeout(10)
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: config)
            // Every commit reaches the disk before it returns: a pass boundary or a fault that
            // was committed survives a power cut. Telemetry is batched by the writer instead.
            // Set here, on the pool's one writing connection, and not in prepareDatabase: GRDB
            // switches the writer to WAL after prepareDatabase and sets synchronous=NORMAL then,
            // which silently dropped the fsync of every commit (found by `make bench`).
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            try JournalSchema.migrator.migrate(pool)
        } catch {
            throw .database(path: path, operation: "open", message: "\(error)")
        }
        return Journal(path: path, pool: pool, now: now)
    }

    init(path: String, pool: DatabasePool, now: @escaping @Sendable () -> UTCTimestamp) {
        self.path = path
        self.pool = pool
        self.now = now
    }

    /// The writing connection's `PRAGMA synchronous` (2 = FULL: every commit is fsynced).
    public func writerSynchronousLevel() throws(JournalError) -> Int {
        do {
            return try pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
        } catch {
            throw .database(path: path, operation: "read PRAGMA synchronous", message: "\(error)")
        }
    }

    /// The writer's lock file.
    public var lockPath: String { path + ".lock" }

    /// Where this journal's machine signing key lives.
    public var signingKeyPath: String { MachineSigningKey.path(forJournal: path) }

    /// Whether a writer (in any process) has this journal open right now.
    public var hasLiveWriter: Bool { WriterLock.isHeld(path: lockPath) }

    /// `PRAGMA integrity_check`: `["ok"]` for a sound file, else SQLite's list of problems.
    public func integrityCheck() throws(JournalError) -> [String] {
        try read("check integrity") { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
    }

    /// A consistent copy of the whole journal at `destination` through SQLite's online backup,
    /// safe while a writer is running. The copy is made 0600 (its folder 0700 if created);
    /// an existing non-empty file is refused rather than overwritten.
    public func backup(to destination: String) throws(JournalError) {
        if let size = (try? FileManager.default.attributesOfItem(atPath: destination))?[.size] as? NSNumber, size.intValue > 0 {
            throw .file(path: destination, operation: "back up to", reason: "the file exists and is not empty")
        }
        try PrivateFiles.ensureFolder(PrivateFiles.folder(of: destination))
        try PrivateFiles.ensureFile(destination)
        do {
            let target = try DatabaseQueue(path: destination)
            try pool.backup(to: target)
            try target.close()
        } catch {
            throw .database(path: destination, operation: "back up", message: "\(error)")
        }
    }

    /// Closes the database connections; further calls fail.
    public func close() throws(JournalError) {
        do { try pool.close() } catch { throw .database(path: path, operation: "close", message: "\(error)") }
    }

    // MARK: - Transactions

    /// Runs `body` in one immediate transaction: all of it commits or none of it does. With
    /// `commit: false` it is rolled back even when it succeeds: a rehearsal that runs every check
    /// the real write would, against the real rows, and leaves nothing behind.
    func write<T>(_ operation: String, commit: Bool = true, _ body: (Database) throws -> T) throws(JournalError) -> T {
        do {
            return try pool.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return commit ? .commit : .rollback
                }
                guard let result else {
                    throw JournalError.database(path: path, operation: operation, message: "the transaction returned nothing")
                }
                return result
            }
        } catch let e as JournalError {
            throw e
        } catch {
            throw .database(path: path, operation: operation, message: "\(error)")
        }
    }

    func read<T>(_ operation: String, _ body: (Database) throws -> T) throws(JournalError) -> T {
        do {
            return try pool.read(body)
        } catch let e as JournalError {
            throw e
        } catch {
            throw .database(path: path, operation: operation, message: "\(error)")
        }
    }
}
