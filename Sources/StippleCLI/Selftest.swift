import Foundation
import StippleControl
import StippleModel
import StippleWire

/// The self-test procedure on a bench machine, in an order where each check leaves the machine
/// as the next one needs it: identify, link round trips, cartridge, telemetry (motor running,
/// needle retracted), the refresh deadline (heartbeats stopped while running), the e-stop path
/// through the jig. The machine is left stopped, retracted, disarmed and with enable off.
struct Selftest {
    static let identify = "identify"
    static let link = "link"
    static let cartridge = "cartridge"
    static let telemetry = "telemetry"
    static let deadline = "deadline"
    static let estop = "e-stop"
    static let names = [identify, link, cartridge, telemetry, deadline, estop]

    /// Telemetry the self-test asks for (`set_config`), as `stipple run` does.
    static let telemetryHertz = 500.0
    static let telemetryWindow: UInt64 = 500_000_000

    var roundTrips: Int
    /// On real hardware the technician presses the e-stop; this says so and how long is left.
    var prompt: (String) -> Void

    func run(on bench: MachineBench) -> [SelftestCheck] {
        var rows: [SelftestCheck] = []
        defer { bench.makeSafe() }
        let id: DeviceIdentity
        do { id = try bench.connect() } catch {
            rows.append(.fail(Self.identify, Self.plain(error)))
            for name in Self.names.dropFirst() { rows.append(.fail(name, "not run: the machine did not identify")) }
            return rows
        }
        rows.append(.pass(Self.identify, "firmware \(id.firmwareVersionText), serial \(String(id.serial, radix: 16)), protocol \(MessageTable.protocolVersion), message table 0x\(String(MessageTable.tableHash, radix: 16)) matches"))

        let (linkRow, rttP99) = linkCheck(bench)
        rows.append(linkRow)
        rows.append(cartridgeCheck(bench))
        let running: Bool
        do {
            try startMotor(bench)
            running = true
        } catch {
            running = false
            rows.append(.fail(Self.telemetry, "not run: " + Self.plain(error)))
            rows.append(.fail(Self.deadline, "not run: " + Self.plain(error)))
        }
        if running {
            rows.append(telemetryCheck(bench))
            rows.append(deadlineCheck(bench, rttP99: rttP99))
        }
        rows.append(estopCheck(bench))
        return rows
    }

    private static func plain(_ error: Error) -> String {
        let s = "\(error)"
        return s.hasPrefix("error: ") ? String(s.dropFirst(7)) : s
    }

    private static func ms(_ ns: UInt64) -> String { String(format: "%.2f ms", Double(ns) / 1e6) }

    // MARK: - Rows

    private func linkCheck(_ bench: MachineBench) -> (SelftestCheck, UInt64) {
        let wait = max(100_000_000, bench.link.configuration.linkTimeout)
        switch bench.roundTrips(count: roundTrips, waitNanoseconds: wait) {
        case .failure(let e):
            return (.fail(Self.link, "the machine stopped answering (\(e)): check the cable; power-cycle the machine if its firmware hangs"), 0)
        case .success(let r):
            let figures = "\(r.sent) commands, \(r.lost) lost, \(r.mismatched) mismatched; RTT p50 \(Self.ms(r.percentile(0.5))), p99 \(Self.ms(r.percentile(0.99))); \(r.retransmissions) retransmissions, \(r.crcErrors) CRC errors"
            if r.clean { return (.pass(Self.link, figures), r.percentile(0.99)) }
            return (.fail(Self.link, figures + " (no reply within \(wait / 1_000_000) ms counts as lost)"), r.percentile(0.99))
        }
    }

    private func cartridgeCheck(_ bench: MachineBench) -> SelftestCheck {
        bench.clearCartridgeInfo()
        try? bench.link.send(.getCartridge)
        bench.wait(timeout: 250_000_000) { bench.cartridgeInfo != nil }
        guard let info = bench.cartridgeInfo else { return .fail(Self.cartridge, "no cartridge_info within 250 ms") }
        let line: Bool?
        do { line = try bench.gpio.read(.cartridgePresent) } catch { line = nil }
        let lineText = line.map { $0 ? "cartridge_present line active" : "cartridge_present line inactive" } ?? "cartridge_present line unreadable"
        if info.present && line == true {
            return .pass(Self.cartridge, "cartridge \(info.id) lot \(info.lot), use count \(info.useCount); \(lineText)")
        }
        if !info.present && line == false { return .fail(Self.cartridge, "no cartridge: firmware reports none, \(lineText); fit one") }
        return .fail(Self.cartridge, "firmware says \(info.present ? "present" : "absent") but \(lineText): check the cartridge sensor's wiring")
    }

    private func startMotor(_ bench: MachineBench) throws {
        let m = bench.machine
        try bench.arm(step: "selftest: arm")
        let ramp = UInt16(clamping: m.limits.rampMinMilliseconds)
        _ = bench.command(.setStrokeRate(rateMillihertz: UInt32(m.limits.rateMin.millihertz), rampMilliseconds: ramp))
        guard let r = bench.command(.start), r.status == 0 else {
            throw CLIError("the firmware did not start the motor")
        }
        _ = bench.command(.retract)
        bench.wait(UInt64(ramp) * 1_000_000 + UInt64(m.actuator.motorTimeConstantMilliseconds * 8 * 1_000_000))
    }

    /// Rate against the configured 500 Hz, gaps between samples, the device clock against the
    /// host's, the reported stroke rate and current against what a running motor can show.
    private func telemetryCheck(_ bench: MachineBench) -> SelftestCheck {
        let m = bench.machine
        bench.clearTelemetry()
        let start = bench.now
        bench.wait(Self.telemetryWindow)
        let samples = bench.telemetry
        let window = Double(bench.now - start) / 1e9
        guard samples.count >= 2 else {
            return .fail(Self.telemetry, "\(samples.count) telemetry samples in \(Int(window * 1000)) ms, \(Int(Self.telemetryHertz)) Hz configured: the firmware's telemetry has stalled")
        }
        var problems: [String] = []
        let hz = Double(samples.count) / window
        if abs(hz - Self.telemetryHertz) > 0.1 * Self.telemetryHertz {
            problems.append(String(format: "%.0f Hz, not %.0f", hz, Self.telemetryHertz))
        }
        let gaps = zip(samples, samples.dropFirst()).map { $1.at - $0.at }
        let maxGap = max(gaps.max() ?? 0, bench.now - samples.last!.at)
        let allowedGap = UInt64(4e9 / Self.telemetryHertz) + 5_000_000
        if maxGap > allowedGap { problems.append("a \(Self.ms(maxGap)) gap (at most \(Self.ms(allowedGap)))") }
        let backwards = zip(samples, samples.dropFirst()).filter { $1.sample.deviceTicks <= $0.sample.deviceTicks }.count
        if backwards > 0 { problems.append("device time did not advance \(backwards) time(s)") }
        let tickHz = Double(bench.identity?.tickHertz ?? 1_000_000)
        let deviceSpan = Double(samples.last!.sample.deviceTicks &- samples.first!.sample.deviceTicks) / tickHz
        let hostSpan = Double(samples.last!.at - samples.first!.at) / 1e9
        // Host arrival times jitter by the bench cycle and the transport; 20 ms covers both.
        if backwards == 0, abs(deviceSpan - hostSpan) > 0.02 + 0.01 * hostSpan {
            problems.append(String(format: "device clock ran %.1f ms over %.1f ms of host time", deviceSpan * 1000, hostSpan * 1000))
        }
        let rates = samples.map { Double($0.sample.rateMillihertz) / 1000 }
        let lo = m.limits.rateMin.hertz * 0.8, hi = m.limits.rateMax.hertz * 1.2
        if let bad = rates.first(where: { $0 < lo || $0 > hi }) {
            problems.append(String(format: "stroke rate %.1f Hz while running at %.1f Hz (outside %.0f-%.0f)", bad, m.limits.rateMin.hertz, lo, hi))
        }
        let currents = samples.map { Int($0.sample.motorCurrentMilliamperes) }
        let imax = m.actuator.motorCurrentMaxMilliamperes
        if let bad = currents.first(where: { $0 <= 0 || $0 > imax }) {
            problems.append("motor current \(bad) mA while running (plausible: 1-\(imax) mA)")
        }
        let figures = String(format: "%.0f Hz, max gap %@, device clock %+.2f ms over %.0f ms, rate %.1f Hz, current %d-%d mA",
                             hz, Self.ms(maxGap), (deviceSpan - hostSpan) * 1000, hostSpan * 1000,
                             rates.reduce(0, +) / Double(rates.count), currents.min() ?? 0, currents.max() ?? 0)
        return problems.isEmpty ? .pass(Self.telemetry, figures) : .fail(Self.telemetry, problems.joined(separator: "; "))
    }

    /// Heartbeats stop with the motor running; the firmware must report heartbeat-timeout and
    /// drop the drive (telemetry's drive-powered flag) within its deadline. Seen from the host
    /// the drop arrives a transport round trip and a telemetry period later, which the check
    /// allows for; the firmware's own figure (the fault's detail) is held to the deadline.
    private func deadlineCheck(_ bench: MachineBench, rttP99: UInt64) -> SelftestCheck {
        let deadline = bench.deadlineNanoseconds
        let deadlineMs = bench.machine.heartbeatDeadlineMilliseconds
        let faultsBefore = bench.faults.count
        bench.clearTelemetry()
        bench.heartbeating = false
        let lastBeat = bench.lastHeartbeatSentAt
        let driveOff: (Int, Telemetry) -> Bool = { _, t in t.stateFlags & (1 << 6) == 0 }
        let giveUp = 3 * deadline + 500_000_000
        bench.wait(timeout: giveUp) {
            bench.faults[faultsBefore...].contains { $0.code == 1 } && bench.telemetry.contains { driveOff(0, $0.sample) }
        }
        // Then the coast-down, for the figure (the drive is already off; nothing depends on it).
        bench.wait(timeout: 1_000_000_000) { bench.telemetry.contains { $0.sample.rateMillihertz < 500 } }
        let fault = bench.faults[faultsBefore...].first { $0.code == 1 }
        let off = bench.telemetry.first { driveOff(0, $0.sample) }
        let stopped = bench.telemetry.first { $0.sample.rateMillihertz < 500 }
        // Heartbeats back before anything else: a reset needs one after the fault.
        bench.heartbeating = true
        bench.wait(2 * deadline / 5)
        _ = bench.command(.stop)
        _ = bench.command(.resetFault(code: 1))
        guard let fault, let off else {
            let rate = bench.telemetry.last.map { String(format: "%.1f Hz", Double($0.sample.rateMillihertz) / 1000) } ?? "an unknown rate"
            return .fail(Self.deadline, "no heartbeat-timeout and the drive still powered at \(rate) \(giveUp / 1_000_000) ms after the last heartbeat (deadline \(deadlineMs) ms): the firmware does not enforce its refresh deadline. Do not treat with this machine")
        }
        let allowance = rttP99 + UInt64(2e9 / Self.telemetryHertz) + 2 * MachineBench.cycleNanoseconds
        let seen = off.at - lastBeat
        let stoppedText = stopped.map { "motor below 0.5 Hz after \(Self.ms($0.at - lastBeat))" } ?? "motor still coasting at the end"
        let figures = "firmware latched heartbeat-timeout after \(fault.detail) ms of silence (deadline \(deadlineMs) ms); drive off seen by the host \(Self.ms(seen)) after the last heartbeat (allowed \(Self.ms(deadline + allowance)): deadline + RTT p99 + 2 telemetry periods + 2 cycles); \(stoppedText)"
        if fault.detail > Int32(deadlineMs) + 1 || seen > deadline + allowance {
            return .fail(Self.deadline, figures + ": too late")
        }
        return .pass(Self.deadline, figures)
    }

    /// With a jig wiring motor_enable back to jig_enable_sense: enable on must show on the sense
    /// line, and an e-stop edge must drop it; the row gives the edge-to-line time.
    private func estopCheck(_ bench: MachineBench) -> SelftestCheck {
        guard bench.machine.gpio[.jigEnableSense] != nil else {
            return SelftestCheck(name: Self.estop, verdict: .skipped, detail: "skipped: no jig line (jig_enable_sense not in the machine file)")
        }
        _ = bench.command(.resetFault(code: 1))
        bench.clearEdges()
        do { try bench.arm(step: "selftest: arm for the e-stop check") } catch {
            return .fail(Self.estop, "not run: " + Self.plain(error))
        }
        let sensed = bench.wait(timeout: 50_000_000) { (try? bench.gpio.read(.jigEnableSense)) == true }
        guard sensed else {
            bench.makeSafe()
            return .fail(Self.estop, "jig_enable_sense stayed inactive 50 ms after motor_enable went active: the enable output or the jig wire is broken")
        }
        bench.clearEdges()
        if let chip = bench.chip {
            try? chip.setInput(.estop, active: true)
        } else {
            prompt("press the e-stop now (30 s)")
        }
        // Until the line drops, or 100 ms after the edge (then it did not), or 30 s without an edge.
        bench.wait(timeout: 30_000_000_000) {
            guard let e = bench.edges.first(where: { $0.role == .estop && $0.active }) else { return false }
            return bench.edges.contains { $0.role == .jigEnableSense && !$0.active } || bench.now - e.at.nanoseconds > 100_000_000
        }
        let edge = bench.edges.first { $0.role == .estop && $0.active }
        let drop = bench.edges.first { $0.role == .jigEnableSense && !$0.active }
        if let chip = bench.chip {
            try? chip.setInput(.estop, active: false)
        } else if edge != nil {
            prompt("release the e-stop")
        }
        bench.wait(timeout: 30_000_000_000) { (try? bench.gpio.read(.estop)) == false }
        bench.resetEStopLatch()
        _ = bench.command(.resetFault(code: 2))
        guard let edge else { return .fail(Self.estop, "no e-stop edge within 30 s: the e-stop input is not wired, or was not pressed") }
        guard let drop, drop.at >= edge.at else {
            return .fail(Self.estop, "the e-stop edge came but jig_enable_sense did not drop within 100 ms: the e-stop path does not cut the enable line")
        }
        let t = drop.at.nanoseconds - edge.at.nanoseconds
        let note = bench.isVirtualTime ? " (virtual time: the bench's 1 ms cycle)" : ""
        // The e-stop must beat the firmware's own deadline: it is the faster, independent layer.
        if t > bench.deadlineNanoseconds {
            return .fail(Self.estop, "edge-to-line \(Self.ms(t))\(note), slower than the \(bench.machine.heartbeatDeadlineMilliseconds) ms deadline")
        }
        return .pass(Self.estop, "e-stop edge to enable line low \(Self.ms(t))\(note), seen on jig_enable_sense")
    }
}
