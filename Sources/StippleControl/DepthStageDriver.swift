import StippleHardware
import StippleModel
import StippleWire

/// Drives a machine's depth stage to positions for a calibration, over the firmware protocol:
/// identify, arm, release the retract with the stroke motor stopped (start, then stop at once:
/// the gauge reads a still needle), move and wait until the stage's own sensor has settled, and
/// at the end retract and disarm. Heartbeats go out while it waits, so the refresh deadline holds.
///
/// It is not the control loop: a technician's procedure runs seconds per position, so it waits
/// by calling `idle` (a short sleep on hardware; tests advance virtual time and the simulator).
public final class DepthStageDriver {
    public let machine: MachineSpec
    private let device: DeviceLink
    private let link: ReliableLink
    private let now: () -> UInt64
    private let idle: () -> Void
    private let rx = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 8)
    private var lastHeartbeat: UInt64 = 0
    private var heartbeats: UInt32 = 0
    private var lastTelemetry: Telemetry?
    private var results: [(id: UInt8, status: UInt16, detail: Int32)] = []
    private var calibrationReply: DeviceCalibration?
    private var identifyReply: IdentifyReply?
    private var latchedFault: UInt16?
    public private(set) var identity: DeviceIdentity?

    public init(machine: MachineSpec, device: DeviceLink, now: @escaping () -> UInt64, idle: @escaping () -> Void) {
        self.machine = machine
        self.device = device
        self.now = now
        self.idle = idle
        link = ReliableLink(role: .host, configuration: .forMachine(machine), now: now())
    }

    deinit { rx.deallocate() }

    /// Identifies the machine and sends it the machine file's limits.
    public func connect(nonce: UInt32) throws(DepthStageError) -> DeviceIdentity {
        try send(Handshake.request(nonce: nonce))
        try wait("identify", seconds: 2) { self.identifyReply != nil }
        switch Handshake.check(identifyReply!, nonce: nonce) {
        case .success(let id): identity = id
        case .failure(let e): throw .handshake(e.description)
        }
        let l = machine.limits
        try command(.setConfig(DeviceConfig(
            depthMinMicrometres: UInt32(l.depthMin.micrometres), depthMaxMicrometres: UInt32(l.depthMax.micrometres),
            rateMinMillihertz: UInt32(l.rateMin.millihertz), rateMaxMillihertz: UInt32(l.rateMax.millihertz),
            depthSlewMicrometresPerSecond: UInt32(l.depthSlewMillimetresPerSecond * 1000),
            heartbeatDeadlineMilliseconds: UInt16(machine.heartbeatDeadlineMilliseconds), telemetryHertz: 500)))
        return identity!
    }

    /// Arms and frees the stage with the motor stopped.
    public func prepare() throws(DepthStageError) {
        try command(.arm)
        // A direct-drive stage homes after arm and refuses start until it has: wait for a
        // telemetry frame sent after the arm that no longer says homing (a board never does).
        lastTelemetry = nil
        let p = machine.directDrive
        let homingSeconds = p.map { $0.homeTravel.millimetres / ($0.maximumSlewMillimetresPerSecond / 2) * 2 + 2 } ?? 1
        try wait("the depth stage to home", seconds: homingSeconds) {
            guard let t = self.lastTelemetry else { return false }
            return t.stateFlags & ControlCore.homingFlag == 0
        }
        try command(.setStrokeRate(rateMillihertz: UInt32(machine.limits.rateMin.millihertz), rampMilliseconds: 0))
        try command(.start)
        try command(.stop)
    }

    /// Moves the stage to `position` and waits until its sensor reads it steadily (within 5 µm,
    /// or the sensor's noise, for 50 ms).
    public func move(to position: Depth) throws(DepthStageError) {
        try command(.setDepth(depthMicrometres: UInt32(position.micrometres),
                              slewMicrometresPerSecond: UInt32(machine.limits.depthSlewMillimetresPerSecond * 1000)))
        let band = Double(max(5, 4 * machine.actuator.depthSensorNoiseMicrometres))
        let travel = machine.limits.depthMax.millimetres - machine.limits.depthMin.millimetres
        let seconds = travel / machine.limits.depthSlewMillimetresPerSecond + 2
        var settledSince: UInt64?
        try wait("the stage to reach \(position)", seconds: seconds) {
            guard let t = self.lastTelemetry, abs(Double(t.depthMicrometres) - Double(position.micrometres)) <= band else {
                settledSince = nil
                return false
            }
            let at = self.now()
            if settledSince == nil { settledSince = at }
            return at - settledSince! >= 50_000_000
        }
    }

    /// Writes `calibration` to the device and reads it back: the device must hold what was sent.
    public func store(_ calibration: DeviceCalibration) throws(DepthStageError) {
        try command(.writeCalibration(calibration))
        calibrationReply = nil
        try send(.readCalibration)
        try wait("the calibration read back", seconds: 1) { self.calibrationReply != nil }
        guard calibrationReply == calibration else { throw .readBackDiffers }
    }

    /// Retracts and disarms (also after a failure, so the needle is never left out).
    public func finish() {
        try? command(.retract)
        try? command(.disarm)
    }

    // MARK: - Link

    private func send(_ m: Message) throws(DepthStageError) {
        do { try link.send(m) } catch { throw .link("the link's queue is full") }
    }

    private func command(_ m: Message) throws(DepthStageError) {
        results.removeAll()
        try send(m)
        try wait("an answer to \(m.name)", seconds: 1) { self.results.contains { $0.id == m.id } }
        let r = results.first { $0.id == m.id }!
        guard r.status == 0 else { throw .refused(command: m.name, status: r.status, detail: r.detail) }
    }

    private func wait(_ what: String, seconds: Double, until done: () -> Bool) throws(DepthStageError) {
        let start = now()
        let deadlinePeriod = UInt64(machine.heartbeatDeadlineMilliseconds) * 1_000_000 / 4
        while true {
            let t = now()
            do throws(LinkError) {
                while true {
                    let n = try device.receive(into: rx)
                    if n == 0 { break }
                    link.receive(UnsafeRawBufferPointer(rebasing: rx[0..<n]), now: t) { message in
                        switch message {
                        case .identifyReply(let r): identifyReply = r
                        case .telemetry(let tm): lastTelemetry = tm
                        case .commandResult(let id, let status, let detail): results.append((id, status, detail))
                        case .calibration(let c): calibrationReply = c
                        case .faultReport(_, let code, _): latchedFault = latchedFault ?? code
                        default: break
                        }
                    }
                }
            } catch {
                throw .link(error.description)
            }
            if identity != nil, t - lastHeartbeat >= deadlinePeriod {
                lastHeartbeat = t
                heartbeats &+= 1
                try? link.send(.heartbeat(counter: heartbeats))
            }
            var sendError: LinkError?
            link.poll(now: t) { frame in
                do throws(LinkError) { try device.send(frame) } catch { sendError = error }
            }
            if let e = sendError, e != .timedOut { throw .link(e.description) }
            if link.isDown { throw .link("the machine stopped answering (link down)") }
            if let latchedFault { throw .fault(code: latchedFault) }
            if done() { return }
            if Double(t - start) / 1e9 > seconds { throw .timedOut(waitingFor: what) }
            idle()
        }
    }
}

extension Message {
    /// The message's name in the message table, for errors.
    var name: String {
        switch self {
        case .setConfig: "set_config"
        case .arm: "arm"
        case .disarm: "disarm"
        case .setStrokeRate: "set_stroke_rate"
        case .setDepth: "set_depth"
        case .start: "start"
        case .stop: "stop"
        case .retract: "retract"
        case .writeCalibration: "write_calibration"
        default: "message 0x" + String(id, radix: 16)
        }
    }
}

/// Why driving the depth stage stopped.
public enum DepthStageError: Error, Sendable, Hashable, CustomStringConvertible {
    case handshake(String)
    case link(String)
    case timedOut(waitingFor: String)
    case refused(command: String, status: UInt16, detail: Int32)
    case fault(code: UInt16)
    case readBackDiffers

    public var description: String {
        switch self {
        case .handshake(let why): "the machine's identify reply was refused: \(why)"
        case .link(let why): why
        case .timedOut(let what): "no \(what) in time"
        case .refused(let c, let s, let d): "the machine refused \(c) (status \(s), detail \(d))"
        case .fault(let code): "the machine latched fault \(code)"
        case .readBackDiffers: "the calibration read back from the device differs from the one written"
        }
    }
}
