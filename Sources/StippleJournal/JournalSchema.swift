import GRDB

/// The journal's schema, as GRDB migrations.
///
/// A migration that has shipped is never edited: journals in clinics already ran it, and their
/// ledger hashes cover the columns it made. Changes go into a new migration ("v2", ...).
///
/// Journaled tables are append-only: a row is written once and covered by one ledger entry.
/// State that changes (a session ending) is a new row (`session_closures`), never an UPDATE;
/// the `session_status` view puts it back together for ad-hoc SQL.
enum JournalSchema {
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE clients(
                    id INTEGER PRIMARY KEY,
                    client_ref TEXT NOT NULL UNIQUE,
                    name TEXT,
                    date_of_birth TEXT,
                    created_utc TEXT NOT NULL);
                CREATE TABLE consents(
                    id INTEGER PRIMARY KEY,
                    client_id INTEGER NOT NULL REFERENCES clients(id),
                    document_ref TEXT NOT NULL,
                    signed_utc TEXT NOT NULL,
                    recorded_utc TEXT NOT NULL);
                CREATE INDEX consents_client ON consents(client_id);
                CREATE TABLE operators(
                    id INTEGER PRIMARY KEY,
                    operator_ref TEXT NOT NULL UNIQUE,
                    name TEXT,
                    created_utc TEXT NOT NULL);
                CREATE TABLE machines(
                    id INTEGER PRIMARY KEY,
                    model TEXT NOT NULL,
                    serial TEXT NOT NULL,
                    firmware_version TEXT NOT NULL,
                    created_utc TEXT NOT NULL,
                    UNIQUE(model, serial, firmware_version));
                CREATE TABLE calibrations(
                    id INTEGER PRIMARY KEY,
                    calibration_ref TEXT NOT NULL UNIQUE,
                    machine_id INTEGER NOT NULL REFERENCES machines(id),
                    performed_utc TEXT NOT NULL,
                    operator_id INTEGER NOT NULL REFERENCES operators(id),
                    expires_utc TEXT NOT NULL,
                    payload TEXT NOT NULL);
                CREATE TABLE cartridges(
                    id INTEGER PRIMARY KEY,
                    uid TEXT NOT NULL UNIQUE,
                    type_name TEXT NOT NULL,
                    lot TEXT NOT NULL,
                    single_use INTEGER NOT NULL,
                    created_utc TEXT NOT NULL);
                CREATE TABLE pigments(
                    id INTEGER PRIMARY KEY,
                    brand TEXT NOT NULL,
                    name TEXT NOT NULL,
                    batch TEXT NOT NULL,
                    lot TEXT NOT NULL,
                    expiry TEXT NOT NULL,
                    dilution REAL NOT NULL,
                    created_utc TEXT NOT NULL,
                    UNIQUE(brand, name, batch, lot, expiry, dilution));
                CREATE TABLE treatment_plans(
                    id INTEGER PRIMARY KEY,
                    client_id INTEGER NOT NULL REFERENCES clients(id),
                    planned_sessions INTEGER NOT NULL,
                    spacing_days INTEGER NOT NULL,
                    created_utc TEXT NOT NULL);
                CREATE TABLE sessions(
                    id INTEGER PRIMARY KEY,
                    client_id INTEGER NOT NULL REFERENCES clients(id),
                    operator_id INTEGER NOT NULL REFERENCES operators(id),
                    machine_id INTEGER NOT NULL REFERENCES machines(id),
                    plan_id INTEGER REFERENCES treatment_plans(id),
                    calibration_id INTEGER REFERENCES calibrations(id),
                    started_utc TEXT NOT NULL,
                    started_monotonic_ns INTEGER NOT NULL);
                CREATE INDEX sessions_client ON sessions(client_id);
                CREATE TABLE cartridge_uses(
                    id INTEGER PRIMARY KEY,
                    cartridge_id INTEGER NOT NULL REFERENCES cartridges(id),
                    client_id INTEGER NOT NULL REFERENCES clients(id),
                    session_id INTEGER REFERENCES sessions(id),
                    used_utc TEXT NOT NULL);
                CREATE INDEX cartridge_uses_cartridge ON cartridge_uses(cartridge_id);
                CREATE TABLE session_pigments(
                    id INTEGER PRIMARY KEY,
                    session_id INTEGER NOT NULL REFERENCES sessions(id),
                    pigment_id INTEGER NOT NULL REFERENCES pigments(id),
                    UNIQUE(session_id, pigment_id));
                CREATE TABLE zone_passes(
                    id INTEGER PRIMARY KEY,
                    session_id INTEGER NOT NULL REFERENCES sessions(id),
                    ordinal INTEGER NOT NULL,
                    zone TEXT NOT NULL,
                    profile_name TEXT NOT NULL,
                    profile_hash TEXT NOT NULL,
                    machine_id INTEGER NOT NULL REFERENCES machines(id),
                    cartridge_id INTEGER NOT NULL REFERENCES cartridges(id),
                    pigment_id INTEGER REFERENCES pigments(id),
                    started_utc TEXT NOT NULL,
                    ended_utc TEXT NOT NULL,
                    started_monotonic_ns INTEGER NOT NULL,
                    duration_ns INTEGER NOT NULL,
                    strokes INTEGER NOT NULL,
                    rate_set_hz REAL NOT NULL,
                    depth_set_mm REAL NOT NULL,
                    rate_mean_hz REAL, rate_min_hz REAL, rate_max_hz REAL, rate_p5_hz REAL, rate_p95_hz REAL,
                    depth_mean_mm REAL, depth_min_mm REAL, depth_max_mm REAL, depth_p5_mm REAL, depth_p95_mm REAL,
                    samples_loop INTEGER NOT NULL,
                    samples_journal INTEGER NOT NULL,
                    stop_reason TEXT NOT NULL,
                    fault_code INTEGER,
                    UNIQUE(session_id, ordinal));
                CREATE TABLE pass_interruptions(
                    id INTEGER PRIMARY KEY,
                    pass_id INTEGER NOT NULL REFERENCES zone_passes(id),
                    ordinal INTEGER NOT NULL,
                    at_offset_ns INTEGER NOT NULL,
                    resumed_offset_ns INTEGER,
                    reason TEXT NOT NULL);
                CREATE INDEX pass_interruptions_pass ON pass_interruptions(pass_id);
                CREATE TABLE pass_telemetry(
                    id INTEGER PRIMARY KEY,
                    pass_id INTEGER NOT NULL UNIQUE REFERENCES zone_passes(id),
                    codec TEXT NOT NULL,
                    sample_count INTEGER NOT NULL,
                    data BLOB NOT NULL);
                CREATE TABLE events(
                    id INTEGER PRIMARY KEY,
                    session_id INTEGER REFERENCES sessions(id),
                    kind TEXT NOT NULL,
                    code INTEGER,
                    message TEXT NOT NULL,
                    operator_id INTEGER REFERENCES operators(id),
                    at_utc TEXT NOT NULL,
                    at_monotonic_ns INTEGER);
                CREATE INDEX events_session ON events(session_id);
                CREATE TABLE session_closures(
                    id INTEGER PRIMARY KEY,
                    session_id INTEGER NOT NULL UNIQUE REFERENCES sessions(id),
                    status TEXT NOT NULL CHECK (status IN ('completed', 'interrupted')),
                    ended_utc TEXT NOT NULL,
                    passes INTEGER NOT NULL,
                    head_seq INTEGER NOT NULL,
                    head_hash TEXT NOT NULL,
                    public_key TEXT NOT NULL,
                    signature TEXT NOT NULL);
                CREATE TABLE ledger(
                    seq INTEGER PRIMARY KEY,
                    table_name TEXT NOT NULL,
                    row_id INTEGER NOT NULL,
                    prev_hash TEXT NOT NULL,
                    hash TEXT NOT NULL,
                    UNIQUE(table_name, row_id));
                CREATE VIEW session_status AS
                    SELECT s.id AS session_id, COALESCE(c.status, 'open') AS status, c.ended_utc
                    FROM sessions s LEFT JOIN session_closures c ON c.session_id = s.id;
                """)
        }
        return m
    }
}
