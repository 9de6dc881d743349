import Foundation
import StippleModel
import StippleSimulator

/// How the built-in simulator is set up for a technician procedure: the fitted cartridge, the
/// stroke drive's error, and the broken firmware or wiring a self-test must catch. The CLI's
/// `--sim-*` options fill it, so the procedures can be tried, and are tested, against a known
/// truth.
struct SimulatedBenchSetup {
    /// The fault names `--sim-fault` takes.
    enum Fault: String, CaseIterable {
        /// The firmware stops answering right after identify.
        case unresponsive
        /// The firmware never enforces its refresh deadline.
        case ignoreDeadline = "ignore-deadline"
        /// No cartridge in the machine.
        case cartridgePulled = "cartridge-pulled"
        /// The firmware stops sending telemetry.
        case telemetryStalled = "telemetry-stalled"
        /// The self-test jig's wire from motor_enable to jig_enable_sense is broken.
        case jigBroken = "jig-broken"
    }

    var cartridge: Cartridge?
    var cartridgeID: UInt64 = 1
    var rateError = StrokeRateError.none
    var quirks = SimulatedFirmwareQuirks()
    var unresponsiveAfterIdentify = false
    var cartridgePulled = false
    var jigWired = true

    mutating func inject(_ fault: Fault) {
        switch fault {
        case .unresponsive: unresponsiveAfterIdentify = true
        case .ignoreDeadline: quirks.ignoresRefreshDeadline = true
        case .cartridgePulled: cartridgePulled = true
        case .telemetryStalled: quirks.telemetryStalled = true
        case .jigBroken: jigWired = false
        }
    }

    /// Parses `gain=G,offset=HZ,quadratic=Q` (any subset; the rest stay perfect).
    static func parseRateError(_ text: String) -> StrokeRateError? {
        var e = StrokeRateError.none
        for part in text.split(separator: ",") {
            let kv = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard kv.count == 2, let v = Double(kv[1]), v.isFinite else { return nil }
            switch kv[0] {
            case "gain": e.gain = v
            case "offset": e.offsetHertz = v
            case "quadratic": e.quadraticPerHertz = v
            default: return nil
            }
        }
        return e
    }
}
