import Foundation
import StippleControl
import StippleModel

/// One zone pass as the run command reports it: the control core's summary plus what it ran with.
struct ReportedPass {
    var summary: PassSummary
    var zone: Zone
    var profile: String
    var cartridge: String
    var cartridgeID: UInt64
    /// The membrane offset in force (mm): the machine's needle depth minus the cartridge's.
    var membraneOffset: Double
    /// The machine's depth calibration the pass ran under (stage position to needle depth).
    var calibration: DepthCalibration = .identity
    /// The fault that ended it, if any.
    var fault: FaultCode?
}

/// Text for the end-of-run summary: one block per pass, then the events that are not passes.
enum PassReport {
    static func clock(_ ns: UInt64, from origin: UInt64) -> String {
        let ms = (ns >= origin ? ns - origin : 0) / 1_000_000
        return String(format: "%02d:%02d.%03d", ms / 60_000, (ms / 1000) % 60, ms % 1000)
    }

    static func lines(_ passes: [ReportedPass], origin: UInt64) -> [String] {
        var out: [String] = []
        for p in passes {
            let s = p.summary
            out.append("pass \(s.pass)  \(p.zone.name)  profile \(p.profile)  cartridge \(p.cartridge) #\(p.cartridgeID)")
            out.append(String(format: "  %@ - %@  %.2f s  %u strokes", clock(s.startedAt, from: origin), clock(s.endedAt, from: origin),
                              Double(s.durationNanoseconds) / 1e9, s.strokes))
            if s.samples > 0 {
                let o = p.membraneOffset
                out.append(String(format: "  rate    mean %.1f Hz  min %.1f  max %.1f  (%u samples)",
                                  s.rateMeanHertz, s.rateMinHertz, s.rateMaxHertz, s.samples))
                // Below the membrane offset the needle tip does not reach the skin: depth 0. The
                // stage's readings go through the calibration (monotonic over the travel, so min
                // and max map to min and max).
                let c = p.calibration
                func needle(_ stage: Double) -> Double { max(0, c.needleDepth(atStage: stage) - o) }
                let how = c == .identity
                    ? String(format: "stage depth %.3f mm", s.depthMeanMillimetres)
                    : String(format: "stage %.3f mm = %.3f mm through the calibration", s.depthMeanMillimetres, c.needleDepth(atStage: s.depthMeanMillimetres))
                out.append(String(format: "  needle  mean %.3f mm  min %.3f  max %.3f  (%@, minus membrane %.3f mm)",
                                  needle(s.depthMeanMillimetres), needle(s.depthMinMillimetres), needle(s.depthMaxMillimetres), how, o))
            } else {
                out.append("  no telemetry received during the pass")
            }
            var stop = "  stop  \(s.stopReason)"
            if let f = p.fault { stop += " (\(f))" }
            out.append(stop)
        }
        if passes.isEmpty { out.append("no zone passes") }
        return out
    }
}
