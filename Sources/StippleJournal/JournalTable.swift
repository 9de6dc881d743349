/// The journaled tables and, for each, the columns its canonical encoding covers, in their
/// fixed order. Every row of these tables has exactly one ledger entry.
///
/// The column lists are part of the ledger format (`stipple-ledger-v1`): they are never
/// reordered or edited. A later migration that adds a column must add a new ledger format
/// version that covers it, or rows written before it would stop verifying.
public enum JournalTable: String, Sendable, CaseIterable {
    case clients
    case consents
    case operators
    case machines
    case calibrations
    case cartridges
    case cartridgeUses = "cartridge_uses"
    case pigments
    case treatmentPlans = "treatment_plans"
    case sessions
    case sessionPigments = "session_pigments"
    case zonePasses = "zone_passes"
    case passInterruptions = "pass_interruptions"
    case passTelemetry = "pass_telemetry"
    case events
    case sessionClosures = "session_closures"

    public var columns: [String] {
        switch self {
        case .clients: ["id", "client_ref", "name", "date_of_birth", "created_utc"]
        case .consents: ["id", "client_id", "document_ref", "signed_utc", "recorded_utc"]
        case .operators: ["id", "operator_ref", "name", "created_utc"]
        case .machines: ["id", "model", "serial", "firmware_version", "created_utc"]
        case .calibrations:
            ["id", "calibration_ref", "machine_id", "performed_utc", "operator_id", "expires_utc", "payload"]
        case .cartridges: ["id", "uid", "type_name", "lot", "single_use", "created_utc"]
        case .cartridgeUses: ["id", "cartridge_id", "client_id", "session_id", "used_utc"]
        case .pigments: ["id", "brand", "name", "batch", "lot", "expiry", "dilution", "created_utc"]
        case .treatmentPlans: ["id", "client_id", "planned_sessions", "spacing_days", "created_utc"]
        case .sessions:
            ["id", "client_id", "operator_id", "machine_id", "plan_id", "calibration_id", "started_utc",
             "started_monotonic_ns"]
        case .sessionPigments: ["id", "session_id", "pigment_id"]
        case .zonePasses:
            ["id", "session_id", "ordinal", "zone", "profile_name", "profile_hash", "machine_id", "cartridge_id",
             "pigment_id", "started_utc", "ended_utc", "started_monotonic_ns", "duration_ns", "strokes",
             "rate_set_hz", "depth_set_mm",
             "rate_mean_hz", "rate_min_hz", "rate_max_hz", "rate_p5_hz", "rate_p95_hz",
             "depth_mean_mm", "depth_min_mm", "depth_max_mm", "depth_p5_mm", "depth_p95_mm",
             "samples_loop", "samples_journal", "stop_reason", "fault_code"]
        case .passInterruptions: ["id", "pass_id", "ordinal", "at_offset_ns", "resumed_offset_ns", "reason"]
        case .passTelemetry: ["id", "pass_id", "codec", "sample_count", "data"]
        case .events:
            ["id", "session_id", "kind", "code", "message", "operator_id", "at_utc", "at_monotonic_ns"]
        case .sessionClosures:
            ["id", "session_id", "status", "ended_utc", "passes", "head_seq", "head_hash", "public_key", "signature"]
        }
    }
}
