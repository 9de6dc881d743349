/// The live state the console shows and pushes over `/ws/status` (docs/CONSOLE.md, "Live state").
/// Built by the drain thread from the loop's records; a value, so a snapshot is just a copy.
struct ConsoleLiveState: Codable, Equatable, Sendable {
    struct Fault: Codable, Equatable, Sendable {
        var code: Int
        var name: String
        var advice: String
    }

    struct Session: Codable, Equatable, Sendable {
        var open: Bool
        var passes: Int
    }

    var machine: String
    var simulated: Bool
    /// "connecting", "ready" or "failed: why".
    var connection = "connecting"
    /// idle, armed, running, paused, fault, e-stopped.
    var state = "idle"
    var rateSetHz: Double?
    var rateHz = 0.0
    /// The profile's needle depth target.
    var depthSetMm: Double?
    /// The needle depth from the stage's telemetry, through the calibration, less the membrane
    /// offset (0 while the tip stays behind the membrane); the stage depth before settings load.
    var depthMm = 0.0
    /// Strokes of the pass: estimated from the telemetry's rate while it runs, the machine's own
    /// count once it ended.
    var strokes = 0
    var passSeconds = 0.0
    var zone: String?
    var profile: String?
    var fault: Fault?
    var session = Session(open: false, passes: 0)

    init(machine: String, simulated: Bool) {
        self.machine = machine
        self.simulated = simulated
    }

    /// Unknown values are `null`, never missing keys: the pages read every field.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(machine, forKey: .machine)
        try c.encode(simulated, forKey: .simulated)
        try c.encode(connection, forKey: .connection)
        try c.encode(state, forKey: .state)
        try c.encode(rateSetHz, forKey: .rateSetHz)
        try c.encode(rateHz, forKey: .rateHz)
        try c.encode(depthSetMm, forKey: .depthSetMm)
        try c.encode(depthMm, forKey: .depthMm)
        try c.encode(strokes, forKey: .strokes)
        try c.encode(passSeconds, forKey: .passSeconds)
        try c.encode(zone, forKey: .zone)
        try c.encode(profile, forKey: .profile)
        try c.encode(fault, forKey: .fault)
        try c.encode(session, forKey: .session)
    }
}
