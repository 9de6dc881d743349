#if canImport(Glibc)
import Glibc
#endif
import StippleControl
import StippleHardware
import StippleLinux
import StippleModel
import StippleSimulator
import StippleWire

/// A machine on the technician's bench: the protocol link, the GPIO lines and a clock, driven
/// one 1 ms cycle at a time by a procedure (`stipple calibrate rate`, `stipple selftest`) rather
/// than by the treatment state machine, since a procedure needs what a session forbids: stroke
/// rates off any profile, heartbeats stopped on purpose, the e-stop pressed while armed.
///
/// The built-in simulator runs in virtual time (each cycle moves the clock 1 ms and the simulated
/// machine with it), so procedures are fast and repeatable; a simulator socket and real hardware
/// run in real time. On real-time backends the e-stop is watched by the same `EdgeWatcher`
/// thread as in `stipple run` (it drops the enable line on the edge); in virtual time the
/// bench's cycle drops it, one cycle at most after the edge.
final class MachineBench {
    enum Backend {
        case simulated(SimulatedBenchSetup)
        case socket(String)
        case hardware(serial: String?, endpointCheck: USBEndpointCheck)
    }

    /// A `command_result`.
    struct Outcome: Sendable {
        var at: UInt64
        var command: UInt8
        var status: UInt16
        var detail: Int32

        /// The status as Firmware-Protocol/README.md section 7 names it.
        var text: String {
            let name = switch status {
            case 0: "ok"
            case 1: "refused in this state"
            case 2: "outside the machine's limits"
            case 3: "a fault is latched"
            case 4: "unknown command"
            default: "status \(status)"
            }
            return detail == 0 ? name : "\(name), detail \(detail)"
        }
    }

    struct Fault: Sendable {
        var at: UInt64
        var deviceTicks: UInt64
        var code: UInt16
        var detail: Int32
    }

    struct CartridgeInfo: Sendable, Equatable {
        var id: UInt64
        var lot: UInt32
        var useCount: UInt16
        var present: Bool
    }

    static let cycleNanoseconds: UInt64 = 1_000_000

    let machine: MachineSpec
    /// How the machine is reached, for the report's first line.
    let description: String
    let gpio: GPIOLines
    /// The simulated lines (built-in simulator and socket backends), for pressing the e-stop.
    let chip: SimulatedGPIOChip?
    let simulated: SimulatedMachine?
    let link: ReliableLink
    private(set) var identity: DeviceIdentity?

    /// While true the cycle sends a heartbeat every fifth of the machine's deadline.
    var heartbeating = false
    private(set) var lastHeartbeatSentAt: UInt64 = 0
    private(set) var enableActive = false

    private(set) var telemetry: [(at: UInt64, sample: Telemetry)] = []
    private(set) var faults: [Fault] = []
    private(set) var results: [Outcome] = []
    private(set) var cartridgeInfo: CartridgeInfo?
    private(set) var edges: [GPIOEdge] = []
    private(set) var linkErrors = 0

    private let simulatedLink: SimulatedDeviceLink?
    private let setup: SimulatedBenchSetup?
    private let device: DeviceLink
    private let closeDevice: () -> Void
    private let clock: MonotonicClock
    private let virtualClock: VirtualClock?
    private let watcher: EdgeWatcher?
    private let rx = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 8)
    private var edgeBuffer: [GPIOEdge] = []
    private var heartbeatCounter: UInt32 = 0
    private var identifyReply: IdentifyReply?
    private var config: DeviceConfig?
    private var closed = false

    init(machine: MachineSpec, backend: Backend) throws {
        self.machine = machine
        edgeBuffer.reserveCapacity(64)
        switch backend {
        case .simulated(let s):
            let vc = VirtualClock()
            let chip = SimulatedGPIOChip(machine: machine, clock: vc, jigWired: s.jigWired)
            let m = SimulatedMachine(machine: machine, cartridge: s.cartridge, cartridgeID: s.cartridgeID, serial: 0x5717_0001,
                                     gpio: chip, seed: 1, telemetryHertz: 500)
            m.strokeRateError = s.rateError
            m.quirks = s.quirks
            if s.cartridgePulled { m.inject(.cartridgePulled) }
            let l = SimulatedDeviceLink(machine: m)
            setup = s
            virtualClock = vc
            clock = vc
            self.chip = chip
            gpio = chip
            simulated = m
            simulatedLink = l
            device = l
            closeDevice = {}
            watcher = nil
            description = "built-in simulator, virtual time"
        case .socket(let path):
            let d: SocketDeviceLink
            do { d = try SocketDeviceLink(path: path) } catch {
                throw CLIError("cannot connect to the simulator (\(path)): \(error). Start it with `stipple sim serve --machine \(machine.name) --socket \(path)`")
            }
            let c = SystemMonotonicClock()
            let chip = SimulatedGPIOChip(machine: machine, clock: c)
            setup = nil
            virtualClock = nil
            clock = c
            self.chip = chip
            gpio = chip
            simulated = nil
            simulatedLink = nil
            device = d
            closeDevice = {}
            watcher = try EdgeWatcher(gpio: chip, clock: c)
            description = "simulator at \(path), real time"
        case .hardware(let serial, let check):
            let lines: LinuxGPIOLines
            do { lines = try LinuxGPIOLines(machine: machine) } catch {
                throw CLIError("cannot open the GPIO lines of \(machine.name) (\(machine.gpio.chip)): \(error)")
            }
            let usb: USBDeviceLink
            let identity = try machine.usbDrive(for: "the machine bench", why: "its checks and measurements are of a board over USB")
            do { usb = try USBDeviceLink(identity: identity, serialNumber: serial, options: .init(endpointCheck: check)) } catch {
                throw CLIError("cannot open \(machine.name) on USB (\(USBLinkError.id(identity.vendorID, identity.productID))): \(error)")
            }
            let c = SystemMonotonicClock()
            setup = nil
            virtualClock = nil
            clock = c
            chip = nil
            gpio = lines
            simulated = nil
            simulatedLink = nil
            device = usb
            closeDevice = { usb.close() }
            watcher = try EdgeWatcher(gpio: lines, clock: c)
            description = "USB \(USBLinkError.id(identity.vendorID, identity.productID)), GPIO \(machine.gpio.chip), real time"
        }
        link = ReliableLink(role: .host, configuration: .forMachine(machine), now: clock.now().nanoseconds)
        if let watcher { try watcher.start() }
    }

    deinit {
        close()
        rx.deallocate()
    }

    var isVirtualTime: Bool { virtualClock != nil }
    var now: UInt64 { clock.now().nanoseconds }
    var deadlineNanoseconds: UInt64 { UInt64(machine.heartbeatDeadlineMilliseconds) * 1_000_000 }

    /// The limits the machine is told to enforce itself: the machine file's, as `stipple run` sends them.
    var deviceConfig: DeviceConfig {
        let l = machine.limits
        return DeviceConfig(
            depthMinMicrometres: UInt32(l.depthMin.micrometres), depthMaxMicrometres: UInt32(l.depthMax.micrometres),
            rateMinMillihertz: UInt32(l.rateMin.millihertz), rateMaxMillihertz: UInt32(l.rateMax.millihertz),
            depthSlewMicrometresPerSecond: UInt32(l.depthSlewMillimetresPerSecond * 1000),
            heartbeatDeadlineMilliseconds: UInt16(machine.heartbeatDeadlineMilliseconds), telemetryHertz: 500)
    }

    // MARK: - Time

    /// One cycle: time moves 1 ms (virtual) or the thread sleeps 1 ms (real), then the link,
    /// the lines and the heartbeat are serviced.
    func cycle() {
        if let vc = virtualClock {
            vc.advance(byNanoseconds: Self.cycleNanoseconds)
            simulatedLink?.pump(now: vc.now().nanoseconds)
        } else {
            var ts = timespec(tv_sec: 0, tv_nsec: Int(Self.cycleNanoseconds))
            nanosleep(&ts, nil)
        }
        service()
    }

    /// Cycles for `nanoseconds`.
    func wait(_ nanoseconds: UInt64) {
        let end = now + nanoseconds
        while now < end { cycle() }
    }

    /// Cycles until `done` holds or `timeout` passes; whether it held.
    @discardableResult
    func wait(timeout: UInt64, until done: () -> Bool) -> Bool {
        let end = now + timeout
        while !done() {
            if now >= end { return false }
            cycle()
        }
        return true
    }

    private func service() {
        let t = now
        var reading = true
        while reading {
            do throws(LinkError) {
                let n = try device.receive(into: rx)
                if n == 0 { break }
                link.receive(UnsafeRawBufferPointer(rebasing: rx[0..<n]), now: t) { absorb($0, at: t) }
            } catch {
                linkErrors += 1
                reading = false
            }
        }
        edgeBuffer.removeAll(keepingCapacity: true)
        if let watcher {
            _ = watcher.drain(into: &edgeBuffer)
        } else {
            try? gpio.drainEdges(into: &edgeBuffer)
        }
        for e in edgeBuffer {
            edges.append(e)
            // Virtual time has no watcher thread: the cycle is the e-stop path.
            if watcher == nil, e.role == .estop, e.active, enableActive {
                _ = try? gpio.write(.motorEnable, active: false)
                enableActive = false
            }
            if watcher != nil, e.role == .estop, e.active { enableActive = false }
        }
        if heartbeating, t &- lastHeartbeatSentAt >= deadlineNanoseconds / 5 {
            heartbeatCounter &+= 1
            lastHeartbeatSentAt = t
            try? link.send(.heartbeat(counter: heartbeatCounter))
        }
        link.poll(now: t) { frame in
            do throws(LinkError) { try device.send(frame) } catch { linkErrors += 1 }
        }
    }

    private func absorb(_ message: Message, at t: UInt64) {
        switch message {
        case .identifyReply(let r): identifyReply = r
        case .config(let c): config = c
        case .telemetry(let s): telemetry.append((t, s))
        case .faultReport(let ticks, let code, let detail): faults.append(Fault(at: t, deviceTicks: ticks, code: code, detail: detail))
        case .commandResult(let c, let s, let d): results.append(Outcome(at: t, command: c, status: s, detail: d))
        case .cartridgeInfo(let id, let lot, let uses, let present):
            cartridgeInfo = CartridgeInfo(id: id, lot: lot, useCount: uses, present: present != 0)
        default: break
        }
    }

    func clearTelemetry() { telemetry.removeAll(keepingCapacity: true) }
    func clearEdges() { edges.removeAll(keepingCapacity: true) }
    func clearCartridgeInfo() { cartridgeInfo = nil }

    // MARK: - Connection

    /// Identify (protocol version and message table checked) and the machine file's limits.
    func connect() throws -> DeviceIdentity {
        let window = max(500_000_000, 5 * link.configuration.linkTimeout)
        let nonce = UInt32(truncatingIfNeeded: now | 1) ^ 0x5E1F_7E57
        try? link.send(Handshake.request(nonce: nonce))
        guard wait(timeout: window, until: { identifyReply != nil }), let reply = identifyReply else {
            throw CLIError("machine \(machine.name) (identify): no identify reply within \(window / 1_000_000) ms. Check the cable and the machine's power, or power-cycle it if its firmware hangs")
        }
        let id: DeviceIdentity
        switch Handshake.check(reply, nonce: nonce) {
        case .success(let i): id = i
        case .failure(let e): throw CLIError("machine \(machine.name) (identify): \(e)")
        }
        try? link.send(.setConfig(deviceConfig))
        guard wait(timeout: window, until: { config != nil }), let c = config else {
            throw CLIError("machine \(machine.name) (set_config): no config reply within \(window / 1_000_000) ms. Power-cycle the machine and try again")
        }
        guard c == deviceConfig else {
            throw CLIError("machine \(machine.name) (set_config): the firmware keeps limits other than the machine file's (\(c)). Check that the machine file matches this machine")
        }
        identity = id
        if let s = setup, s.unresponsiveAfterIdentify { simulated?.inject(.unresponsive) }
        return id
    }

    /// Sends a command that the firmware answers with `command_result`; that result, or nil if
    /// none came within `timeout`.
    func command(_ m: Message, timeout: UInt64 = 250_000_000) -> Outcome? {
        let from = results.count
        do { try link.send(m) } catch { return nil }
        var found: Outcome?
        wait(timeout: timeout) {
            found = results[from...].first { $0.command == m.id }
            return found != nil
        }
        return found
    }

    /// The enable line, through the e-stop watcher when there is one (it refuses while latched).
    @discardableResult
    func setEnable(_ active: Bool) -> Bool {
        let ok: Bool
        if let watcher {
            ok = (try? watcher.writeMotorEnable(active: active)) ?? false
        } else {
            ok = (try? gpio.write(.motorEnable, active: active)) != nil
        }
        enableActive = ok ? active : (active ? false : enableActive)
        return ok
    }

    /// Heartbeats on, enable line on, `arm`; throws with the firmware's reason when refused.
    func arm(step: String) throws {
        heartbeating = true
        guard setEnable(true) else {
            throw CLIError("machine \(machine.name) (\(step)): the motor-enable line could not be switched on (e-stop latched or GPIO failed). Release the e-stop and try again")
        }
        guard let r = command(.arm) else {
            throw CLIError("machine \(machine.name) (\(step)): no answer to arm. Check the link and try again")
        }
        guard r.status == 0 else {
            throw CLIError("machine \(machine.name) (\(step)): the firmware refused arm (\(r.text)). Fit a cartridge and clear faults, then try again")
        }
    }

    /// Clears the e-stop watcher's latch once the e-stop is released (as a session's reset does).
    func resetEStopLatch() { watcher?.resetLatch() }

    /// Stops the motor, retracts, disarms and drops the enable line: the state a procedure
    /// leaves the machine in, whatever happened.
    func makeSafe() {
        guard !closed else { return }
        _ = try? link.send(.stop)
        _ = try? link.send(.retract)
        _ = try? link.send(.disarm)
        wait(20_000_000)
        setEnable(false)
        heartbeating = false
    }

    /// Safe state, then the e-stop watcher and the device are released.
    func close() {
        guard !closed else { return }
        makeSafe()
        closed = true
        watcher?.stop()
        closeDevice()
    }

    /// `CommandRoundTrips` over this bench's link (nothing else runs meanwhile).
    func roundTrips(count: Int, waitNanoseconds: UInt64) -> Result<CommandRoundTrips, LinkError> {
        CommandRoundTrips.measure(
            count: count, device: device, wire: link, buffer: rx, waitNanoseconds: waitNanoseconds,
            now: { clock.now().nanoseconds },
            idle: {
                if let vc = virtualClock {
                    vc.advance(byNanoseconds: 50_000)
                    simulatedLink?.pump(now: vc.now().nanoseconds)
                } else {
                    sched_yield()
                }
            })
    }
}
