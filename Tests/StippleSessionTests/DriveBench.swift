import Testing
import StippleControl
import StippleDirectDrive
import StippleHardware
import StippleModel
import StippleSimulator
import StippleWire

/// The two ways a machine is driven, for scenario tests that must hold for both.
enum Drive: String, CaseIterable, Sendable, CustomTestStringConvertible {
    /// A controller board over USB (rotary-r1): the simulated firmware makes strokes and steps.
    case usb
    /// Direct drive over GPIO (direct-d1): this process's loop is the firmware, and the simulated
    /// hardware sees only the lines it writes.
    case gpio

    var machineName: String { self == .usb ? "rotary-r1" : "direct-d1" }
    var testDescription: String { "\(rawValue) (\(machineName))" }
}

/// A control session on either drive path, stepped in 1 ms cycles of virtual time, with one set
/// of questions for the hardware ("is the needle stroking?", "where is the stage?") answered from
/// the simulated hardware, never from what the host believes.
final class DriveBench {
    static let ms: UInt64 = 1_000_000
    let drive: Drive
    let clock = VirtualClock()
    let settings: SessionSettings
    let chip: SimulatedGPIOChip
    /// usb: the controller board's simulated firmware and its link.
    let board: SimulatedMachine?
    let boardLink: SimulatedDeviceLink?
    /// gpio: the loop's firmware and the hardware its lines drive.
    let firmware: DirectDriveFirmware?
    let hardware: SimulatedDirectDriveMachine?
    var session: ControlSession!
    var requests: [OperatorRequest] = []
    var records: [ControlRecord] = []
    var now: UInt64 = 0
    /// When false the host's loop hangs: no session cycle, and on direct drive no firmware either
    /// (it is the same loop). A controller board's firmware keeps running.
    var hostAlive = true

    init(_ drive: Drive, cartridge: String = "3RL-0.25", profile: String = "crown-vertex", zone: Zone = .crown,
         tolerances: SimulatedDirectDriveTolerances = .standard) throws {
        self.drive = drive
        let cat = HardwareCatalog(layers: [.embedded])
        let m = try cat.machine(named: drive.machineName).spec
        let c = try cat.cartridge(named: cartridge).cartridge
        let p = try cat.profile(named: profile)
        settings = try SessionSettings.validated(machine: m, cartridge: c, cartridgeID: 99, profile: p.profile,
                                                 profileFile: p.file.path, zone: zone).get()
        chip = SimulatedGPIOChip(machine: m, clock: clock)
        let device: DeviceLink
        switch drive {
        case .usb:
            let board = SimulatedMachine(machine: m, cartridge: c, cartridgeID: 99, serial: 1, gpio: chip, seed: 3, telemetryHertz: 500)
            let link = SimulatedDeviceLink(machine: board)
            self.board = board
            boardLink = link
            firmware = nil
            hardware = nil
            device = link
        case .gpio:
            hardware = try SimulatedDirectDriveMachine(chip: chip, clock: clock, tolerances: tolerances)
            let fw = try DirectDriveFirmware(machine: m, gpio: chip, serial: DirectDriveFirmware.serial(for: m), now: 0)
            fw.fitCartridge(maxDepth: c.maxDepth)
            firmware = fw
            board = nil
            boardLink = nil
            device = fw
        }
        session = ControlSession(machine: m, device: device, gpio: chip, now: 0, nonce: 1234,
                                 linkConfiguration: .forMachine(m),
                                 requests: { [unowned self] in self.requests.isEmpty ? nil : self.requests.removeFirst() },
                                 records: { [unowned self] r in self.records.append(r) })
    }

    /// Advances virtual time by `duration` in 1 ms cycles; `each` runs before every cycle and may
    /// stop the run early by returning true. Stroke edges between cycles fire at their planned
    /// instants, as the real-time loop sleeps to them.
    @discardableResult
    func run(for duration: UInt64, each: (UInt64) -> Bool = { _ in false }) -> UInt64 {
        let end = now + duration
        while now < end {
            clock.advance(toNanoseconds: now)
            if each(now) { return now }
            boardLink?.pump(now: now)
            if hostAlive {
                firmware?.service(now: now)
                session.cycle(now: now)
                if let fw = firmware {
                    while let e = fw.nextEdge(before: now + Self.ms) {
                        clock.advance(toNanoseconds: e)
                        fw.fireEdge(planned: e, actual: e)
                    }
                }
            }
            now += Self.ms
        }
        clock.advance(toNanoseconds: now)
        return now
    }

    /// Connected, settings loaded, armed, and (direct drive) the stage homed.
    func armed() throws {
        requests.append(.load(settings))
        run(for: 30 * Self.ms)
        requests.append(.arm(cartridgeCleared: true))
        run(for: 10 * Self.ms)
        // Homing from the simulated stage's start (1 mm from the switch) takes well under 3 s.
        run(for: 3000 * Self.ms) { [unowned self] _ in !self.homing }
        try #require(session.state.machine == .armed, "armed: \(session.state.machine)")
        try #require(!homing, "the stage finished homing")
    }

    /// How long the needle may go on stroking once the drive is told to stop: direct drive makes
    /// no rising edge after that cycle; a board's rotary motor coasts down over its time constant.
    var coast: UInt64 {
        drive == .gpio ? 1 * Self.ms : UInt64(settings.machine.actuator.motorTimeConstantMilliseconds * 10) * Self.ms + 20 * Self.ms
    }

    var homing: Bool { firmware?.status.homing ?? false }

    func press(_ role: GPIOLineRole, _ active: Bool) { try? chip.setInput(role, active: active) }

    /// Needle strokes the hardware made (rising edges that threw the needle, or the board's motor).
    var hardwareStrokes: Int {
        switch drive {
        case .usb: Int(board!.status.strokes)
        case .gpio: hardware!.status.strokes
        }
    }

    /// The stroke rate the hardware shows: the board's motor, or strokes in the last second.
    var hardwareRateHertz: Double {
        switch drive {
        case .usb: board!.status.actualRateHertz
        case .gpio: hardware!.status.strokeRateHertz
        }
    }

    /// Where the stage physically is, as a depth from its zero (µm).
    var stageMicrometres: Double {
        switch drive {
        case .usb:
            return board!.status.stagePositionMicrometres
        case .gpio:
            // Steps from the switch's trip point; zero is home_offset beyond it, away from home.
            let p = hardware!.parameters
            let away = p.homeDirection == .up ? 1.0 : -1.0
            return (hardware!.status.positionMillimetres * away - p.homeOffset.millimetres) * 1000 * away
        }
    }

    /// Whether the hardware can stroke the needle at all: the board's drive enable, or the
    /// charge-pump watchdog holding the direct drivers enabled (and the enable line up).
    var driveEnabled: Bool {
        switch drive {
        case .usb: board!.status.motorEnabled
        case .gpio: !hardware!.status.watchdogTripped && chip.output(.motorEnable)
        }
    }

    /// Runs until the needle has made no stroke for `quiet`, or `limit` passes; returns when the
    /// last stroke was seen (nil if strokes never stopped).
    func untilStrokesStop(quiet: UInt64 = 50 * DriveBench.ms, limit: UInt64 = 2000 * DriveBench.ms) -> UInt64? {
        var last = hardwareStrokes
        var lastChange = now
        var stopped: UInt64?
        run(for: limit) { [unowned self] t in
            let n = self.hardwareStrokes
            if n != last { last = n; lastChange = t }
            if t - lastChange >= quiet { stopped = lastChange; return true }
            return false
        }
        return stopped
    }
}
