import Testing
import StippleSafetyEvidence
import StippleModel
import StippleWire
@testable import StippleControl

/// The control step alone, in virtual time: no link, no simulator, just inputs and outputs.
@Suite("Control step")
struct ControlCoreTests {
    static let ms: UInt64 = 1_000_000

    static func settings(profile: String = "crown-vertex", cartridge: String = "3RL-0.25", zone: Zone = .crown) throws -> SessionSettings {
        let cat = HardwareCatalog(layers: [.embedded])
        let m = try cat.machine(named: "rotary-r1").spec
        let c = try cat.cartridge(named: cartridge).cartridge
        let p = try cat.profile(named: profile)
        return try SessionSettings.validated(machine: m, cartridge: c, cartridgeID: 42, profile: p.profile,
                                             profileFile: p.file.path, zone: zone).get()
    }

    /// A state armed with crown-vertex on rotary-r1.
    static func armed(at now: UInt64 = 0) throws -> ControlState {
        var s = ControlState()
        var i = ControlInputs()
        i.request = .load(try settings())
        _ = ControlCore.step(&s, i, now: now)
        i.request = .arm(cartridgeCleared: true)
        _ = ControlCore.step(&s, i, now: now + ms)
        #expect(s.machine == .armed)
        return s
    }

    @Test func armingSendsArmRetractAndTheRateAndEnablesTheDrive() throws {
        var s = ControlState()
        var i = ControlInputs()
        i.request = .load(try Self.settings())
        _ = ControlCore.step(&s, i, now: 0)
        i.request = .arm(cartridgeCleared: true)
        let out = ControlCore.step(&s, i, now: Self.ms)
        #expect(s.machine == .armed)
        #expect(out.motorEnable)
        let cmds = Array(out.commands)
        #expect(cmds.contains(.arm) && cmds.contains(.retract))
        #expect(cmds.contains(.setStrokeRate(rateMillihertz: 115_000, rampMilliseconds: 300)))
    }

    @Test(arguments: [
        (false, true, true, RefusalReason.cartridgeReused),
        (true, false, true, .cartridgeMissing),
        (true, true, false, .linkDown),
    ])
    func armingIsRefusedWithAReason(cleared: Bool, cartridge: Bool, link: Bool, reason: RefusalReason) throws {
        var s = ControlState()
        var i = ControlInputs()
        i.request = .load(try Self.settings())
        _ = ControlCore.step(&s, i, now: 0)
        i.cartridgePresent = cartridge
        i.linkUp = link
        i.request = .arm(cartridgeCleared: cleared)
        let out = ControlCore.step(&s, i, now: Self.ms)
        #expect(s.machine == .idle)
        #expect(!out.motorEnable)
        #expect(out.records.contains { $0.kind == .requestRefused && $0.code == reason.rawValue })
    }

    @Test func eStopDropsTheEnableLineInTheSameCycleAndLatches() throws {
        var s = try Self.armed()
        var i = ControlInputs()
        i.pedalDown = true
        _ = ControlCore.step(&s, i, now: 10 * Self.ms)
        #expect(s.machine == .running)
        i.estopActive = true
        i.estopEdge = true
        let out = ControlCore.step(&s, i, now: 11 * Self.ms)
        #expect(!out.motorEnable, "enable low in the cycle that saw the edge")
        #expect(out.commands.contains(.estop))
        #expect(s.machine == .eStopped)
        #expect(out.records.contains { $0.kind == .passEnded && $0.summary.stopReason == .estop })
        // Released: still latched until an explicit reset.
        i.estopActive = false
        i.estopEdge = false
        i.pedalDown = false
        var later = ControlCore.step(&s, i, now: 20 * Self.ms)
        #expect(s.machine == .eStopped && !later.motorEnable)
        i.request = .reset
        later = ControlCore.step(&s, i, now: 21 * Self.ms)
        #expect(s.machine == .idle)
        #expect(later.commands.contains(.resetFault(code: 2)))
    }

    /// The console's STOP: no button is pressed, but the reaction is the e-stop's, latched alike.
    @Test func aSoftwareEmergencyStopActsLikeTheButtonAndLatchesUntilReset() throws {
        var s = try Self.armed()
        var i = ControlInputs()
        i.pedalDown = true
        _ = ControlCore.step(&s, i, now: 10 * Self.ms)
        #expect(s.machine == .running)
        i.request = .emergencyStop
        let out = ControlCore.step(&s, i, now: 11 * Self.ms)
        #expect(!out.motorEnable, "enable low in the cycle that took the request")
        #expect(out.commands.contains(.estop))
        #expect(s.machine == .eStopped)
        #expect(out.records.contains { $0.kind == .passEnded && $0.summary.stopReason == .estop })
        #expect(out.records.contains { $0.kind == .estop })
        i.request = nil
        i.pedalDown = false
        _ = ControlCore.step(&s, i, now: 20 * Self.ms)
        #expect(s.machine == .eStopped, "latched without a reset")
        i.request = .reset
        let later = ControlCore.step(&s, i, now: 21 * Self.ms)
        #expect(s.machine == .idle)
        #expect(later.commands.contains(.resetFault(code: 2)))
    }

    @Test func resetIsRefusedWhileTheEStopIsStillPressed() throws {
        var s = try Self.armed()
        var i = ControlInputs()
        i.estopActive = true
        i.estopEdge = true
        _ = ControlCore.step(&s, i, now: 5 * Self.ms)
        i.estopEdge = false
        i.request = .reset
        let out = ControlCore.step(&s, i, now: 6 * Self.ms)
        #expect(s.machine == .eStopped)
        #expect(out.records.contains { $0.kind == .requestRefused && $0.code == RefusalReason.causeStillPresent.rawValue })
    }

    @Test func pedalReleaseRetractsAtOnceThenRampsTheMotorDownAndStops() throws {
        var s = try Self.armed()
        var i = ControlInputs()
        i.pedalDown = true
        let start = ControlCore.step(&s, i, now: 10 * Self.ms)
        #expect(start.commands.contains(.start))
        #expect(start.records.contains { $0.kind == .passStarted && $0.summary.pass == 1 })
        i.pedalDown = false
        let release = ControlCore.step(&s, i, now: 500 * Self.ms)
        let cmds = Array(release.commands)
        #expect(cmds.first == .retract, "needle out before anything else")
        #expect(cmds.contains(.setStrokeRate(rateMillihertz: 50_000, rampMilliseconds: 200)))
        #expect(s.machine == .armed && s.commandedDepthMicrometres == 0)
        let ended = try #require(release.records.first { $0.kind == .passEnded })
        #expect(ended.summary.stopReason == .pedalReleased && ended.summary.durationNanoseconds == 490 * Self.ms)
        // The motor stop follows the 200 ms ramp-out.
        #expect(!ControlCore.step(&s, i, now: 699 * Self.ms).commands.contains(.stop))
        #expect(ControlCore.step(&s, i, now: 700 * Self.ms).commands.contains(.stop))
    }

    @Test func depthRampsInThenVariesDotByDotWithinTheProfile() throws {
        var s = try Self.armed()
        var i = ControlInputs()
        i.pedalDown = true
        var depths: [(UInt64, UInt32)] = []
        for t in stride(from: UInt64(10), to: 2000, by: 1) {
            let out = ControlCore.step(&s, i, now: t * Self.ms)
            for c in out.commands { if case .setDepth(let d, _) = c { depths.append((t, d)) } }
        }
        let settings = try Self.settings()
        let offset = UInt32(settings.cartridge.membraneOffset.micrometres)
        // Ramp-in over 300 ms: monotonic up to the target.
        let ramp = depths.filter { $0.0 < 310 }.map(\.1)
        #expect(ramp == ramp.sorted() && !ramp.isEmpty)
        #expect(ramp.last! <= 1000 + offset)
        // Afterwards: every dot within min/max (0.85-1.2 mm) plus the offset, and they vary.
        let dots = depths.filter { $0.0 > 320 }.map(\.1)
        #expect(dots.count > 20)
        #expect(dots.allSatisfy { $0 >= 850 + offset && $0 <= 1200 + offset })
        #expect(Set(dots).count > 5, "per-dot variation")
        #expect(dots.allSatisfy { abs(Int($0) - Int(1000 + offset)) <= 80 }, "within ±amplitude 0.08 mm")
    }

    @Test func theSameSeedGivesTheSameDots() throws {
        func dots() throws -> [UInt32] {
            var s = try Self.armed()
            var i = ControlInputs()
            i.pedalDown = true
            var out: [UInt32] = []
            for t in stride(from: UInt64(10), to: 1000, by: 1) {
                for c in ControlCore.step(&s, i, now: t * Self.ms).commands { if case .setDepth(let d, _) = c { out.append(d) } }
            }
            return out
        }
        #expect(try dots() == dots())
    }

    @Test func heartbeatsGoOutEveryFifthOfTheDeadline() throws {
        var s = try Self.armed()
        var beats: [UInt64] = []
        for t in stride(from: UInt64(2), to: 200, by: 1) {
            if ControlCore.step(&s, ControlInputs(), now: t * Self.ms).commands.contains(where: { if case .heartbeat = $0 { true } else { false } }) {
                beats.append(t)
            }
        }
        let gaps = zip(beats.dropFirst(), beats).map { $0 - $1 }
        #expect(gaps.allSatisfy { $0 == 10 }, "rotary-r1's 50 ms deadline: a heartbeat every 10 ms, got \(gaps)")
    }

    @Test func aLostLinkEndsThePassWithLinkLostAndFaults() throws {
        var s = try Self.armed()
        var i = ControlInputs()
        i.pedalDown = true
        _ = ControlCore.step(&s, i, now: 10 * Self.ms)
        i.linkUp = false
        let out = ControlCore.step(&s, i, now: 50 * Self.ms)
        #expect(!out.motorEnable)
        #expect(s.machine == .fault && s.latchedFault == .linkLost)
        #expect(out.records.contains { $0.kind == .passEnded && $0.summary.stopReason == .linkLost })
        #expect(out.commands.isEmpty || !out.commands.contains(.start))
    }

    @Test func removingTheCartridgeStopsWithCartridgeRemoved() throws {
        var s = try Self.armed()
        var i = ControlInputs()
        i.pedalDown = true
        _ = ControlCore.step(&s, i, now: 10 * Self.ms)
        i.cartridgePresent = false
        let out = ControlCore.step(&s, i, now: 30 * Self.ms)
        #expect(s.machine == .fault && s.latchedFault == .cartridgeRemoved)
        #expect(out.commands.contains(.stop) && out.commands.contains(.retract))
        #expect(out.records.contains { $0.kind == .passEnded && $0.summary.stopReason == .cartridgeRemoved })
    }

    @Test func aRateOutOfToleranceForTooLongIsAFault() throws {
        var s = try Self.armed()
        var i = ControlInputs()
        i.pedalDown = true
        _ = ControlCore.step(&s, i, now: 0)
        // Steady from ramp 300 ms + 5 tau (200 ms) + 100 ms = 600 ms; then 30 Hz (stalling).
        var faultAt: UInt64?
        for t in stride(from: UInt64(1), to: 2000, by: 1) {
            i.telemetry = Telemetry(deviceTicks: t * 1000, rateMillihertz: t < 700 ? 115_000 : 30_000,
                                    depthMicrometres: Int32(s.commandedDepthMicrometres), motorCurrentMilliamperes: 300,
                                    strokeCount: UInt32(t), stateFlags: 0)
            _ = ControlCore.step(&s, i, now: t * Self.ms)
            if s.machine == .fault { faultAt = t; break }
        }
        #expect(s.latchedFault == .motorStall)
        #expect(faultAt == 700 + 250, "after the 250 ms grace")
    }

    @Test func overcurrentIsAFaultAtOnce() throws {
        var s = try Self.armed()
        var i = ControlInputs()
        i.pedalDown = true
        _ = ControlCore.step(&s, i, now: 0)
        i.telemetry = Telemetry(deviceTicks: 1, rateMillihertz: 20_000, depthMicrometres: 0,
                                motorCurrentMilliamperes: 900, strokeCount: 1, stateFlags: 0)
        _ = ControlCore.step(&s, i, now: 5 * Self.ms)
        #expect(s.latchedFault == .overcurrent)
    }

    @Test func settingsCannotChangeWhileRunning() throws {
        var s = try Self.armed()
        var i = ControlInputs()
        i.pedalDown = true
        _ = ControlCore.step(&s, i, now: 10 * Self.ms)
        i.request = .load(try Self.settings(profile: "mid-scalp-density", zone: .midScalp))
        let out = ControlCore.step(&s, i, now: 11 * Self.ms)
        #expect(s.settings?.profile.name == "crown-vertex")
        #expect(out.records.contains { $0.kind == .requestRefused && $0.code == RefusalReason.settingsLockedWhileRunning.rawValue })
        SafetyEvidence.record(hazard: "profile-change-running", what: "settings changed while running", measured: s.settings?.profile.name == "crown-vertex" ? 0 : 1, bound: 0, unit: "changes")
    }

    /// What the CLI and the console send when the journal fails mid-pass (disarm alone is not
    /// allowed while running): pause, then disarm. The pass ends, the needle is out and stopped,
    /// and the machine stays idle with the pedal still down.
    @Test func pauseThenDisarmEndsARunningPassAndLeavesTheMachineIdle() throws {
        var s = try Self.armed()
        var i = ControlInputs()
        i.pedalDown = true
        _ = ControlCore.step(&s, i, now: 10 * Self.ms)
        #expect(s.machine == .running)
        i.request = .pause
        let paused = ControlCore.step(&s, i, now: 11 * Self.ms)
        #expect(paused.commands.contains(.retract) && paused.commands.contains(.stop))
        i.request = .disarm
        let out = ControlCore.step(&s, i, now: 12 * Self.ms)
        #expect(s.machine == .idle)
        #expect(!out.motorEnable)
        #expect(out.commands.contains(.disarm))
        #expect(out.records.contains { $0.kind == .passEnded && $0.summary.stopReason == .disarmed })
        i.request = nil
        var enabled = 0
        for t in 13...500 where ControlCore.step(&s, i, now: UInt64(t) * Self.ms).motorEnable { enabled += 1 }
        #expect(s.machine == .idle, "the pedal still down does not restart it")
        SafetyEvidence.record(hazard: "disk-full", what: "cycles enabled after the journal failed", measured: Double(enabled), bound: 0, unit: "cycles")
    }

    @Test func everyStateRefusesRequestsItsTransitionsDoNotAllow() throws {
        // From idle: pause, resume, disarm and reset are not allowed.
        for request in [OperatorRequest.pause, .resume, .disarm, .reset] {
            var s = ControlState()
            var i = ControlInputs()
            i.request = request
            let out = ControlCore.step(&s, i, now: 0)
            #expect(s.machine == .idle, "\(request)")
            #expect(out.records.contains { $0.kind == .requestRefused }, "\(request)")
        }
    }

    @Test func aZoneTheProfileIsNotForIsRefusedAtLoad() throws {
        #expect(throws: ConfigError.self) { try Self.settings(zone: .frontalHairline) }
    }

    @Test func outputsNeverOverflow() throws {
        var s = try Self.armed()
        var i = ControlInputs()
        i.pedalDown = true
        for t in stride(from: UInt64(10), to: 3000, by: 1) {
            i.telemetry = Telemetry(deviceTicks: t, rateMillihertz: 115_000, depthMicrometres: Int32(s.commandedDepthMicrometres),
                                    motorCurrentMilliamperes: 300, strokeCount: UInt32(t), stateFlags: 0)
            i.clockReply = (s.clockNonce, t * 1000)
            let out = ControlCore.step(&s, i, now: t * Self.ms)
            #expect(out.commands.overflowed == 0 && out.records.overflowed == 0)
        }
    }
}
