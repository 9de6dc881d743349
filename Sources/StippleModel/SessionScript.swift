import Foundation

/// A timeline for `stipple run --script`: what happens at which millisecond of a simulated
/// session (pedal, e-stop, zone changes, unplugging, injected faults). Read as strictly as the
/// hardware files: unknown keys, unknown actions and out-of-order times are errors.
public struct SessionScript: Sendable, Hashable {
    public enum Fault: String, Sendable, Hashable, CaseIterable {
        case motorStall = "motor-stall"
        case overcurrent
        case depthDrift = "depth-drift"
        case unresponsive
        case clear
    }

    public enum Action: Sendable, Hashable {
        /// Load a zone and profile (and optionally another cartridge type / id) for the next passes.
        case select(zone: Zone, profile: String, cartridge: String?, cartridgeID: UInt64?)
        case arm
        case disarm
        case pedalDown
        case pedalUp
        case estopPress
        case estopRelease
        case reset
        case pause
        case resume
        case cartridgePull
        case cartridgeInsert
        case unplug
        /// Ask the controller to find the machine again after a link-lost (a replugged cable).
        case reconnect
        case linkLoss(rate: Double)
        case linkStall(milliseconds: Int)
        case inject(Fault)
        /// The host's control loop stops for this long (simulators only): on a controller board the
        /// firmware's refresh deadline stops the needle; on direct drive the charge pump stops and
        /// the watchdog drops the drivers.
        case loopHang(milliseconds: Int)
    }

    public struct Step: Sendable, Hashable {
        public var atMilliseconds: Int
        public var action: Action
    }

    public var steps: [Step]

    /// When the last step happens.
    public var durationMilliseconds: Int { steps.last?.atMilliseconds ?? 0 }

    /// Whether an action needs the simulator (a simulated pedal, e-stop, cartridge, link or
    /// machine fault); on real hardware those are the real inputs and cable.
    public static func needsSimulator(_ action: Action) -> Bool {
        switch action {
        case .select, .arm, .disarm, .reset, .pause, .resume, .reconnect: false
        default: true
        }
    }

    static let actionNames = ["select", "arm", "disarm", "pedal-down", "pedal-up", "estop-press", "estop-release",
                              "reset", "pause", "resume", "cartridge-pull", "cartridge-insert", "unplug", "reconnect",
                              "link-loss", "link-stall", "fault", "loop-hang"]

    /// Whether an action is about a controller board's USB link or its simulated firmware, which
    /// a direct-drive (`drive = "gpio"`) machine does not have.
    public static func needsControllerBoard(_ action: Action) -> Bool {
        switch action {
        case .unplug, .reconnect, .linkLoss, .linkStall, .inject: true
        default: false
        }
    }

    public static func decode(text: String, file: String) -> Result<SessionScript, ConfigError> {
        ConfigDocument.decode(text: text, file: file) { r in
            guard let raw = r.raw("step", required: true, expect: "[[step]] tables with at_ms and action") else { return nil }
            guard case .array(let items) = raw, !items.isEmpty else {
                r.report("step", value: raw, "must be one or more [[step]] tables", fix: "Write each step as [[step]] with at_ms and action")
                return nil
            }
            var steps: [Step] = []
            var last = -1
            for (i, item) in items.enumerated() {
                guard case .table(let t) = item else {
                    r.reportAt("step[\(i)]", value: item.rendered, "must be a table", fix: "Write it as [[step]]")
                    continue
                }
                let s = TableReader(file: r.file, values: t, path: "step[\(i)]", sink: r.sinkForNested)
                guard let at = s.integer("at_ms", in: 0...(24 * 3_600_000), unit: "ms"),
                      let name = s.string("action", expect: "one of " + actionNames.joined(separator: ", ")) else {
                    s.finish()
                    continue
                }
                if at < last {
                    s.report("at_ms", value: .integer(at), "is earlier than the step before (\(last) ms)",
                             fix: "List steps in time order")
                }
                last = max(last, at)
                if let action = parseAction(name, s) { steps.append(Step(atMilliseconds: at, action: action)) }
                s.finish()
            }
            return steps.count == items.count ? SessionScript(steps: steps) : nil
        }
    }

    private static func parseAction(_ name: String, _ s: TableReader) -> Action? {
        switch name {
        case "select":
            let zoneName = s.string("zone", expect: "a zone such as \"crown\"")
            let profile = s.string("profile", expect: "a profile name")
            let cartridge = s.string("cartridge", required: false, expect: "a cartridge name")
            let id = s.integer("cartridge_id", in: 1...Int.max, required: false)
            guard let zoneName, let profile else { return nil }
            guard let zone = Zone(name: zoneName) else {
                s.report("zone", value: .string(zoneName), "is not a known zone",
                         fix: "Use one of: " + Zone.standard.map(\.name).joined(separator: ", "))
                return nil
            }
            return .select(zone: zone, profile: profile, cartridge: cartridge, cartridgeID: id.map { UInt64($0) })
        case "arm": return .arm
        case "disarm": return .disarm
        case "pedal-down": return .pedalDown
        case "pedal-up": return .pedalUp
        case "estop-press": return .estopPress
        case "estop-release": return .estopRelease
        case "reset": return .reset
        case "pause": return .pause
        case "resume": return .resume
        case "cartridge-pull": return .cartridgePull
        case "cartridge-insert": return .cartridgeInsert
        case "unplug": return .unplug
        case "reconnect": return .reconnect
        case "link-loss":
            return s.number("rate", in: 0...1, unit: "(share of frames lost)").map { .linkLoss(rate: $0) }
        case "link-stall":
            return s.integer("duration_ms", in: 1...60_000, unit: "ms").map { .linkStall(milliseconds: $0) }
        case "loop-hang":
            return s.integer("duration_ms", in: 1...60_000, unit: "ms").map { .loopHang(milliseconds: $0) }
        case "fault":
            guard let f = s.string("fault", expect: Fault.allCases.map(\.rawValue).joined(separator: ", ")) else { return nil }
            guard let fault = Fault(rawValue: f) else {
                s.report("fault", value: .string(f), "is not a fault the simulator can inject",
                         fix: "Use one of: " + Fault.allCases.map(\.rawValue).joined(separator: ", "))
                return nil
            }
            return .inject(fault)
        default:
            s.report("action", value: .string(name), "is not a known action", fix: "Use one of: " + actionNames.joined(separator: ", "))
            return nil
        }
    }
}
